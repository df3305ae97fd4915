package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import kraken.posix.Descriptors;
import kraken.settings.Settings;
import kraken.posix.Fd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The pool's rules on the master's records (no processes: the rules are what is tested). */
@Tag("unit")
class PoolTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;
    private final Set<Fd> fds = new HashSet<>();
    private int nextPid = 1000;

    private Worker worker() throws Exception {
        int[] p = Descriptors.pipe(false);
        Fd a = new Fd(p[0]);
        Fd b = new Fd(p[1]);
        fds.add(a);
        fds.add(b);
        return new Worker(nextPid++, a, b, a, 0, 0);
    }

    @AfterEach
    void close() {
        fds.forEach(Fd::close);
    }

    private static Settings state(int spare, int max, int connections) {
        Settings s = new Settings();
        s.isolation = "state";
        s.workersSpare = spare;
        s.workersMax = max;
        s.workersConnections = connections;
        return s;
    }

    @Test
    void aStateWorkerPreparingItsNextStateCountsAsSpare() throws Exception {
        Pool pool = new Pool(state(2, 64, 1000), new Random(1));
        Worker a = worker();
        Worker b = worker();
        pool.started(a, 0);
        pool.started(b, 0);
        assertEquals(2, pool.spare(), "starting workers are spare");
        assertFalse(pool.wantsWorker());
        pool.becameReady(a, 1);
        pool.becameReady(b, 1);
        assertSame(b, pool.takeReady(), "the most recently ready worker takes the connection");
        pool.becameBusy(b, 2);
        assertEquals(1, pool.spare());
        assertTrue(pool.wantsWorker(), "one busy: one more spare is wanted");
        assertFalse(pool.finished(b, 3));
        assertEquals(2, pool.spare(), "after DONE it prepares its next state: spare again");
        assertFalse(pool.wantsWorker(), "a worker between two connections never makes the pool grow");
    }

    @Test
    void theSpareTargetPlusTheBusyBoundTheStarts() throws Exception {
        Pool pool = new Pool(state(2, 64, 1000), new Random(1));
        int started = 0;
        for (int busy = 0; busy < 10; busy++) {
            while (pool.wantsWorker()) {
                Worker w = worker();
                pool.started(w, 0);
                pool.becameReady(w, 0);
                started++;
            }
            pool.becameBusy(pool.takeReady(), 0);
            assertEquals(busy + 1 + (pool.spare()), pool.all.size());
            assertTrue(pool.all.size() <= 2 + busy + 1, "at most spare + busy: " + pool.all.size());
        }
        assertEquals(11, started, "2 to begin with, then one per hand-over but the last (refilled on the next turn)");
    }

    @Test
    void theMaximumCapsThePool() throws Exception {
        Pool pool = new Pool(state(5, 3, 1000), new Random(1));
        while (pool.wantsWorker()) {
            pool.started(worker(), 0);
        }
        assertEquals(3, pool.all.size());
    }

    @Test
    void idleWorkersAboveTheTargetRetireLongestIdleFirstAfterTheIdleTime() throws Exception {
        Settings s = state(1, 64, 1000);
        s.workersIdle = 10;
        Pool pool = new Pool(s, new Random(1));
        Worker[] w = new Worker[4];
        for (int i = 0; i < 4; i++) {
            w[i] = worker();
            pool.started(w[i], 0);
            pool.becameReady(w[i], i * S);
        }
        assertNull(pool.idleToRetire(9 * S), "nobody idle 10 s yet");
        assertEquals(10 * S, pool.nextDeadline(300 * S));
        assertSame(w[0], pool.idleToRetire(10 * S));
        pool.leaveQueue(w[0]);
        assertSame(w[1], pool.idleToRetire(11 * S));
        pool.leaveQueue(w[1]);
        assertSame(w[2], pool.idleToRetire(12 * S));
        pool.leaveQueue(w[2]);
        assertNull(pool.idleToRetire(1000 * S), "the spare target stays");
        assertEquals(Long.MAX_VALUE, pool.nextDeadline(300 * S));
    }

    @Test
    void aHandOverAndBackMakesTheWorkerIdleAnew() throws Exception {
        Settings s = state(0, 64, 1000);
        s.workersIdle = 10;
        Pool pool = new Pool(s, new Random(1));
        Worker a = worker();
        pool.started(a, 0);
        pool.becameReady(a, 0);
        pool.becameBusy(pool.takeReady(), 9 * S);
        pool.finished(a, 9 * S);
        pool.becameReady(a, 9 * S);
        assertNull(pool.idleToRetire(15 * S));
        assertSame(a, pool.idleToRetire(19 * S));
    }

    @Test
    void stateWorkersLivesAreSpreadOverTheLastQuarterOfKrakenWorkersConnections() {
        Pool pool = new Pool(state(2, 64, 1000), new Random(7));
        Set<Integer> lives = new HashSet<>();
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < 2000; i++) {
            int life = pool.lifeOfNewWorker();
            lives.add(life);
            min = Math.min(min, life);
            max = Math.max(max, life);
        }
        assertTrue(min >= 750 && max <= 1000, min + ".." + max);
        assertTrue(lives.size() > 150, "spread, not a few values: " + lives.size());
        assertEquals(1, new Pool(state(2, 64, 1), new Random(7)).lifeOfNewWorker());
        Settings p = state(2, 64, 1000);
        p.isolation = "process";
        assertEquals(1, new Pool(p).lifeOfNewWorker());
    }

    @Test
    void aStateWorkerRetiresAfterItsLife() throws Exception {
        Pool pool = new Pool(state(1, 64, 4), new Random(3));
        Worker a = worker();
        pool.started(a, 0);
        int life = a.life;
        assertTrue(life >= 3 && life <= 4, "life " + life);
        for (int i = 1; i <= life; i++) {
            pool.becameReady(a, i);
            pool.becameBusy(pool.takeReady(), i);
            boolean over = pool.finished(a, i);
            assertEquals(i == life, over, "connection " + i);
        }
        assertEquals(0, pool.spare());
        assertTrue(pool.wantsWorker());
    }

    @Test
    void aProcessWorkerAfterDoneOwesItsExitAndIsNotSpare() throws Exception {
        Settings s = state(1, 64, 1000);
        s.isolation = "process";
        Pool pool = new Pool(s);
        Worker a = worker();
        pool.started(a, 0);
        pool.becameReady(a, 0);
        pool.becameBusy(pool.takeReady(), 0);
        assertFalse(pool.finished(a, 5));
        assertSame(pool.exiting, a.queue);
        assertEquals(0, pool.spare());
        assertEquals(5 + 300 * S, pool.nextDeadline(300 * S));
        pool.exited(a);
        assertTrue(pool.all.isEmpty());
        assertEquals(Long.MAX_VALUE, pool.nextDeadline(300 * S));
    }
}
