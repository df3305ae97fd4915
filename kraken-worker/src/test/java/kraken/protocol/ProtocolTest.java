package kraken.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import kraken.settings.Settings;
import kraken.posix.Fd;
import kraken.posix.Posix;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("unit")
@Timeout(30)
class ProtocolTest {
    private static Fd[] link() throws IOException {
        int[] p = Posix.socketpair(Posix.Constant.SOCK_SEQPACKET.value);
        return new Fd[] {new Fd(p[0]), new Fd(p[1])};
    }

    @Test
    void helloCarriesEverythingAWorkerNeeds() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd worker = l[1]) {
            Settings s = new Settings();
            s.isolation = "state";
            s.limitCpu = 7L;
            String source = "print('\u00e9\u00ff')"; // one char per byte: survives as bytes
            Protocol.Hello sent = new Protocol.Hello(Protocol.VERSION, s.encode(), 65534, 65534, new int[] {65534, 4},
                    List.of(new Protocol.Step(Protocol.Step.Kind.STATEMENT, "x = 1"),
                            new Protocol.Step(Protocol.Step.Kind.SCRIPT_SOURCE, source)),
                    "script.lua", List.of("kraken", "-e", "x = 1", "script.lua", "a"), -3);
            Protocol.sendHello(master, sent);
            Protocol.Hello got = (Protocol.Hello) Protocol.receiveFromMaster(worker);
            assertEquals(sent.settings(), got.settings());
            assertEquals("state", Settings.decode(got.settings()).isolation);
            assertEquals(7L, Settings.decode(got.settings()).limitCpu);
            assertEquals(65534, got.uid());
            assertArrayEquals(new int[] {65534, 4}, got.groups());
            assertEquals(sent.program(), got.program());
            assertEquals(sent.argTable(), got.argTable());
            assertEquals(-3, got.argBase());
            assertEquals("script.lua", got.scriptName());
        }
    }

    @Test
    void workerMessagesRoundTripAndEndOfStreamIsNull() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd worker = l[1]) {
            Protocol.sendReady(worker);
            Protocol.sendDone(worker, "error: boom");
            Protocol.sendFailed(worker, "x".repeat(20000));
            assertInstanceOf(Protocol.Ready.class, Protocol.receiveFromWorker(master));
            assertEquals("error: boom", ((Protocol.Done) Protocol.receiveFromWorker(master)).outcome());
            assertEquals(16000, ((Protocol.Failed) Protocol.receiveFromWorker(master)).error().length());
            worker.close();
            assertNull(Protocol.receiveFromWorker(master));
        }
    }

    /** What a broken or hostile worker might send: the master gets an IOException, never a crash or a hang. */
    @Test
    void garbageFromAWorkerIsAnErrorForTheMaster() throws Exception {
        byte[][] garbage = {
            {(byte) 0xff}, // an unknown type
            {(byte) 0x7f, 1, 2, 3},
            new byte[Protocol.MAX_MESSAGE], // zeros: type 0
        };
        for (byte[] g : garbage) {
            Fd[] l = link();
            try (Fd master = l[0]; Fd worker = l[1]) {
                Posix.send(worker.get(), g, 0, g.length);
                assertThrows(IOException.class, () -> Protocol.receiveFromWorker(master));
            }
        }
    }

    @Test
    void aConnectionTravelsWithItsDescriptor() throws Exception {
        Fd[] l = link();
        int[] c = Posix.socketpair(Posix.Constant.SOCK_STREAM.value);
        try (Fd master = l[0]; Fd worker = l[1]; Fd client = new Fd(c[0]); Fd server = new Fd(c[1])) {
            Protocol.sendConnection(master, "::1", 4242, server);
            server.close(); // the master closes its copy at once
            Protocol.Connection conn = (Protocol.Connection) Protocol.receiveFromMaster(worker);
            assertEquals("::1", conn.peerHost());
            assertEquals(4242, conn.peerPort());
            try (Fd passed = conn.fd()) {
                byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
                Posix.send(passed.get(), ok, 0, 2);
                byte[] got = new byte[2];
                assertEquals(2, Posix.recv(client.get(), got, 0, 2));
            }
        }
    }

    @Test
    void aWorkerRefusesAnotherProtocolVersion() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd worker = l[1]) {
            Protocol.sendHello(master, new Protocol.Hello(Protocol.VERSION + 1, Map.of(), 0, 0, new int[0], List.of(),
                    null, List.of(), 0));
            IOException e = assertThrows(IOException.class, () -> Protocol.receiveFromMaster(worker));
            assertEquals("protocol: master speaks version " + (Protocol.VERSION + 1) + ", this worker " + Protocol.VERSION,
                    e.getMessage());
        }
    }
}
