package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import kraken.protocol.Protocol;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Admission through the supervisor's own parts, over a fake launcher: real clients on a real
 * listening socket, real links to the (fake) workers, no worker process.
 */
@Tag("unit")
@Timeout(30)
class AdmissionTest {
    /** Starts the rig's spare workers and makes them all ready. */
    private static void allReady(MasterRig rig, int n) throws Exception {
        rig.turn(0);
        assertEquals(n, rig.launcher.spawned.size());
        for (int i = 0; i < n; i++) {
            Protocol.sendReady(rig.process(i).link);
        }
        rig.turnUntil(() -> rig.pool.ready.size() == n);
    }

    private static Protocol.Connection received(FakeLauncher.FakeProcess p) throws Exception {
        Protocol.Connection c = (Protocol.Connection) Protocol.receiveFromMaster(p.link);
        c.fd().close();
        return c;
    }

    private static String readAll(Socket s) throws Exception {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void withoutAReadyWorkerClientsWaitInTheBacklogUntilOneIs() throws Exception {
        try (MasterRig rig = new MasterRig(MasterRig.settings(1)); Socket client = new Socket("127.0.0.1", rig.port())) {
            for (int i = 0; i < 3; i++) {
                rig.turn(20);
            }
            assertEquals(0, rig.state.status.metrics.counts().accepted(), "nothing accepted without a ready worker");
            FakeLauncher.FakeProcess p = rig.process(0);
            Protocol.sendReady(p.link);
            rig.turnUntil(() -> p.worker.state == Worker.State.BUSY);
            assertEquals(client.getLocalPort(), received(p).peerPort());
        }
    }

    @Test
    void theSecondConnectionFromOneSourceOverTheLimitIsRefusedWithItsText() throws Exception {
        Settings s = MasterRig.settings(2);
        s.limitPerSource = 1;
        s.limitRefusal = "busy\n";
        try (MasterRig rig = new MasterRig(s)) {
            allReady(rig, 2);
            try (Socket first = new Socket("127.0.0.1", rig.port())) {
                rig.turnUntil(() -> rig.pool.busy.size() == 1);
                FakeLauncher.FakeProcess serving = rig.process(0).worker.isBusy() ? rig.process(0) : rig.process(1);
                received(serving);
                try (Socket second = new Socket("127.0.0.1", rig.port())) {
                    rig.turnUntil(() -> rig.admission.refusalCounts().get(SourceLimits.OVER_PER_SOURCE) == 1);
                    assertEquals("busy\n", readAll(second), "refused with kraken.limits.refusal, then closed");
                }
                assertEquals(1, rig.pool.ready.size(), "the other worker is still free");
                Protocol.sendDone(serving.link, "ok");
                rig.turnUntil(() -> serving.worker.state == Worker.State.FINISHING);
                try (Socket third = new Socket("127.0.0.1", rig.port())) {
                    rig.turnUntil(() -> rig.pool.busy.size() == 1);
                    assertEquals(1, rig.admission.refusalCounts().get(SourceLimits.OVER_PER_SOURCE),
                            "the slot came back when the first connection ended");
                }
            }
        }
    }

    @Test
    void aTrustedProxysHeaderNamesTheClientTheWorkerSees() throws Exception {
        Settings s = MasterRig.settings(1);
        s.proxyFrom = List.of("127.0.0.1");
        try (MasterRig rig = new MasterRig(s)) {
            allReady(rig, 1);
            try (Socket proxy = new Socket("127.0.0.1", rig.port())) {
                OutputStream out = proxy.getOutputStream();
                out.write("PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\nGET".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                FakeLauncher.FakeProcess p = rig.process(0);
                rig.turnUntil(() -> p.worker.state == Worker.State.BUSY);
                Protocol.Connection c = (Protocol.Connection) Protocol.receiveFromMaster(p.link);
                c.fd().close();
                assertEquals("192.0.2.7", c.peerHost());
                assertEquals(5555, c.peerPort());
                assertEquals("192.0.2.7:5555 via proxy 127.0.0.1:" + proxy.getLocalPort(), p.worker.peer);
            }
        }
    }

    @Test
    void aConnectionNoWorkerCanTakeIsDroppedAndCounted() throws Exception {
        try (MasterRig rig = new MasterRig(MasterRig.settings(1))) {
            allReady(rig, 1);
            FakeLauncher.FakeProcess p = rig.process(0);
            p.link.close(); // the worker's end of the link is gone, the worker not yet reaped
            try (Socket client = new Socket("127.0.0.1", rig.port())) {
                rig.turnUntil(() -> rig.admission.refusalCounts().get(SourceLimits.NO_WORKER) == 1);
                assertEquals("", readAll(client), "closed without a byte");
            }
            assertEquals(Worker.State.STOPPING, p.worker.state);
            assertTrue(rig.state.status.metrics.counts().accepted() >= 1);
        }
    }
}
