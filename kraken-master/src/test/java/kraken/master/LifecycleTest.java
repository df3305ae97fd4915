package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import kraken.protocol.Protocol;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The worker lifecycle through the supervisor's own parts, over a fake launcher: real links,
 * real epoll, no worker process. The worker's side speaks the real protocol.
 */
@Tag("unit")
@Timeout(30)
class LifecycleTest {
    private static final long MS = MasterRig.MS;

    @Test
    void theTransitionsAreTheStateMachinesOnly() {
        Worker.State s = Worker.State.STARTING;
        assertTrue(s.mayBecome(Worker.State.READY));
        assertFalse(s.mayBecome(Worker.State.BUSY));
        assertFalse(s.mayBecome(Worker.State.FINISHING));
        assertTrue(Worker.State.READY.mayBecome(Worker.State.BUSY));
        assertFalse(Worker.State.READY.mayBecome(Worker.State.READY));
        assertFalse(Worker.State.READY.mayBecome(Worker.State.FINISHING));
        assertTrue(Worker.State.BUSY.mayBecome(Worker.State.FINISHING));
        assertFalse(Worker.State.BUSY.mayBecome(Worker.State.READY));
        assertTrue(Worker.State.FINISHING.mayBecome(Worker.State.READY));
        for (Worker.State any : Worker.State.values()) {
            assertFalse(Worker.State.STOPPING.mayBecome(any), "STOPPING is the end: " + any);
            assertEquals(any != Worker.State.STOPPING, any.mayBecome(Worker.State.STOPPING), any.name());
        }
    }

    @Test
    void aWorkerGoesFromStartingToReadyToBusyAndIsReapedAfterItsConnection() throws Exception {
        try (MasterRig rig = new MasterRig(MasterRig.settings(1));
             Socket client = new Socket("127.0.0.1", rig.port())) {
            rig.turn(0);
            assertEquals(1, rig.launcher.spawned.size(), "the spare target starts one worker");
            FakeLauncher.FakeProcess p = rig.process(0);
            Worker w = p.worker;
            assertEquals(Worker.State.STARTING, w.state);
            assertSame(rig.pool.preparing, w.queue);

            Protocol.sendReady(p.link);
            rig.turnUntil(() -> w.state != Worker.State.READY && w.state != Worker.State.STARTING);
            assertEquals(Worker.State.BUSY, w.state, "ready, then given the waiting client at once");
            assertSame(rig.pool.busy, w.queue);
            Protocol.Connection c = (Protocol.Connection) Protocol.receiveFromMaster(p.link);
            assertEquals("127.0.0.1", c.peerHost());
            assertEquals(client.getLocalPort(), c.peerPort());
            c.fd().close();
            assertTrue(rig.state.anyReady);

            Protocol.sendDone(p.link, "ok");
            rig.turnUntil(() -> w.state == Worker.State.FINISHING);
            assertSame(rig.pool.exiting, w.queue, "process isolation: after its connection it exits");
            assertEquals(1, rig.state.served);

            p.exit(0);
            rig.turnUntil(() -> !rig.pool.all.containsKey(w.pid));
            assertFalse(w.link.isOpen());
            assertFalse(w.pidfd.isOpen());
            assertTrue(rig.launcher.killed.isEmpty(), "nobody was killed");
        }
    }

    @Test
    void aStateWorkerIsReadyAgainAfterItsConnection() throws Exception {
        Settings s = MasterRig.settings(1);
        s.isolation = "state";
        try (MasterRig rig = new MasterRig(s); Socket client = new Socket("127.0.0.1", rig.port())) {
            rig.turn(0);
            FakeLauncher.FakeProcess p = rig.process(0);
            Worker w = p.worker;
            Protocol.sendReady(p.link);
            rig.turnUntil(() -> w.state == Worker.State.BUSY);
            ((Protocol.Connection) Protocol.receiveFromMaster(p.link)).fd().close();
            Protocol.sendDone(p.link, "ok");
            rig.turnUntil(() -> w.state == Worker.State.FINISHING);
            assertSame(rig.pool.preparing, w.queue, "preparing its next state: still spare");
            Protocol.sendReady(p.link);
            rig.turnUntil(() -> w.state == Worker.State.READY);
            assertSame(rig.pool.ready, w.queue);
            assertEquals(w.pid, rig.pool.ready.newest().pid, "the same worker takes the next connection");
            assertTrue(rig.launcher.killed.isEmpty());
        }
    }

    @Test
    void aMessageOutOfOrderIsTheWorkersProtocolError() throws Exception {
        try (MasterRig rig = new MasterRig(MasterRig.settings(2))) {
            rig.turn(0);
            FakeLauncher.FakeProcess a = rig.process(0);
            FakeLauncher.FakeProcess b = rig.process(1);
            Protocol.sendReady(a.link);
            Protocol.sendReady(b.link);
            rig.turnUntil(() -> rig.pool.ready.size() == 2);

            Protocol.sendDone(a.link, "ok"); // DONE without a connection
            Protocol.sendReady(b.link); // READY twice
            rig.turnUntil(() -> rig.launcher.killed.size() == 2);
            assertEquals("killed for a protocol error", a.worker.killedBecause);
            assertEquals("killed for a protocol error", b.worker.killedBecause);
            assertEquals(0, rig.state.served, "no connection was counted");
            rig.turnUntil(() -> !rig.pool.all.containsKey(a.worker.pid) && !rig.pool.all.containsKey(b.worker.pid));
        }
    }

    @Test
    void aBusyWorkerOverItsTimeLimitIsKilledAndItsConnectionLoggedAsSuch() throws Exception {
        Settings s = MasterRig.settings(1);
        s.limitTime = 0.2;
        try (MasterRig rig = new MasterRig(s); Socket client = new Socket("127.0.0.1", rig.port())) {
            rig.turn(0);
            FakeLauncher.FakeProcess p = rig.process(0);
            Worker w = p.worker;
            Protocol.sendReady(p.link);
            rig.turnUntil(() -> w.state == Worker.State.BUSY);
            ((Protocol.Connection) Protocol.receiveFromMaster(p.link)).fd().close();
            rig.turnUntil(() -> rig.launcher.killed.contains(w.pid));
            assertEquals("killed after kraken.limits.time (0.2 s)", w.killedBecause);
            rig.turnUntil(() -> !rig.pool.all.containsKey(w.pid));
            assertEquals(1, rig.state.served, "the connection ended with its worker");
        }
    }

    @Test
    void aStopLetsBusyWorkersFinishAndStopsTheOthers() throws Exception {
        try (MasterRig rig = new MasterRig(MasterRig.settings(2)); Socket client = new Socket("127.0.0.1", rig.port())) {
            rig.turn(0);
            FakeLauncher.FakeProcess a = rig.process(0);
            FakeLauncher.FakeProcess b = rig.process(1);
            Protocol.sendReady(a.link);
            rig.turnUntil(() -> a.worker.state == Worker.State.BUSY);
            ((Protocol.Connection) Protocol.receiveFromMaster(a.link)).fd().close();

            rig.state.stopping = true;
            rig.lifecycle.stopAll();
            assertTrue(a.worker.retiring, "the busy worker finishes its connection");
            assertEquals(Worker.State.STOPPING, b.worker.state);
            assertEquals(b.worker.pid, rig.launcher.killed.get(0), "a starting worker is killed");
            assertFalse(b.worker.link.isOpen(), "its link was closed");

            Protocol.sendDone(a.link, "ok");
            rig.turnUntil(() -> a.worker.state == Worker.State.FINISHING);
            assertFalse(a.worker.link.isOpen() && a.worker.state == Worker.State.READY);
            a.exit(0);
            rig.turnUntil(() -> rig.pool.all.isEmpty());
            assertEquals(1, rig.state.served);
        }
    }

    @Test
    void aReloadStopsReadyWorkersAtOnceAndBusyOnesAfterTheirConnection() throws Exception {
        Settings s = MasterRig.settings(2);
        s.isolation = "state";
        try (MasterRig rig = new MasterRig(s); Socket client = new Socket("127.0.0.1", rig.port())) {
            rig.turn(0);
            FakeLauncher.FakeProcess a = rig.process(0);
            FakeLauncher.FakeProcess b = rig.process(1);
            Protocol.sendReady(a.link);
            rig.turnUntil(() -> a.worker.state == Worker.State.BUSY);
            ((Protocol.Connection) Protocol.receiveFromMaster(a.link)).fd().close();
            Protocol.sendReady(b.link);
            rig.turnUntil(() -> b.worker.state == Worker.State.READY);

            rig.state.generation++;
            rig.lifecycle.restartAll();
            assertEquals(Worker.State.STOPPING, b.worker.state, "ready: stopped now");
            assertNull(Protocol.receiveFromMaster(b.link), "told by the end of its link");
            assertTrue(a.worker.retiring, "busy: finishes first");

            Protocol.sendDone(a.link, "ok");
            rig.turnUntil(() -> a.worker.state == Worker.State.STOPPING);
            assertNull(Protocol.receiveFromMaster(a.link), "a state worker of the old generation does not prepare again");
            assertFalse(rig.launcher.killed.contains(a.worker.pid), "a finished its connection in peace");
            assertFalse(rig.launcher.killed.contains(b.worker.pid), "b was stopped by its link, not killed");
        }
    }

    @Test
    void aWorkerThatDiesBeforeItIsEverReadyEndsTheRun() throws Exception {
        try (MasterRig rig = new MasterRig(MasterRig.settings(1))) {
            rig.turn(0);
            FakeLauncher.FakeProcess p = rig.process(0);
            Protocol.sendFailed(p.link, "t.lua:1: boom");
            p.exit(1);
            rig.turnUntil(() -> rig.state.startupFailure != null);
            assertEquals("no worker can start: t.lua:1: boom", rig.state.startupFailure);
        }
    }

    @Test
    void spawnRefusalsAreRetriedMmTriesTimesThenTheRunEnds() throws Exception {
        Settings s = MasterRig.settings(1);
        s.mmTries = 3;
        s.mmTimeoutMin = 0;
        s.mmTimeoutMax = 1;
        try (MasterRig rig = new MasterRig(s)) {
            rig.launcher.refuse = 3;
            rig.turnUntil(() -> rig.state.startupFailure != null);
            assertEquals(0, rig.launcher.refuse, "three attempts");
            assertTrue(rig.launcher.spawned.isEmpty());
            assertTrue(rig.state.startupFailure.startsWith("no worker can start: posix_spawn(..) failed: "),
                    rig.state.startupFailure);
            assertEquals(3, rig.spawner.policy().refusedTotal());
        }
    }

    @Test
    void idleWorkersAboveTheSpareTargetRetireTheLongestIdleFirst() throws Exception {
        Settings s = MasterRig.settings(2);
        s.workersIdle = 0.1;
        try (MasterRig rig = new MasterRig(s)) {
            rig.turn(0);
            FakeLauncher.FakeProcess a = rig.process(0);
            FakeLauncher.FakeProcess b = rig.process(1);
            Protocol.sendReady(a.link);
            rig.turnUntil(() -> a.worker.state == Worker.State.READY);
            Protocol.sendReady(b.link);
            rig.turnUntil(() -> b.worker.state == Worker.State.READY);
            Settings fewer = MasterRig.settings(1);
            fewer.workersIdle = 0.1;
            rig.state.settings = fewer;
            rig.pool.update(fewer);
            rig.turnUntil(() -> a.worker.state == Worker.State.STOPPING);
            assertEquals(Worker.State.READY, b.worker.state, "the newest stays");
            assertTrue(rig.launcher.killed.isEmpty(), "retired by closing its link, not killed");
        }
    }
}
