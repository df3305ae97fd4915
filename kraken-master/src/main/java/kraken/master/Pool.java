package kraken.master;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import kraken.settings.Settings;

/**
 * The workers and the rules that size them to the load, as php-fpm's dynamic manager does:
 *
 * - Spare workers are the ready ones and those preparing a state (starting, or, in "state"
 *   isolation, building the next fresh state after a connection): both will take a connection
 *   without a new JVM, so a worker between two connections never makes the pool grow.
 * - The master starts a worker only while spare workers are fewer than kraken.workers.spare and
 *   fewer than kraken.workers.max are alive: the pool is at most the spare target plus the busy.
 * - A ready worker idle for kraken.workers.idle while more workers than the spare target are
 *   ready retires, the longest idle first (connections go to the most recently ready worker,
 *   so the hot ones stay busy and the surplus stays idle).
 * - A "state" worker retires after a number of connections drawn from
 *   [kraken.workers.connections * 3/4, kraken.workers.connections] when it starts (gunicorn's
 *   max_requests_jitter), so workers started together never all restart together.
 *
 * Every query costs the same with a thousand workers as with ten: the queues keep the counts and
 * the oldest entry of each, which is its first deadline. Only the supervisor thread uses it.
 */
final class Pool {
    private static final long MS = 1_000_000L;

    final Map<Integer, Worker> all = new LinkedHashMap<>();
    /** READY, the longest idle first; a connection goes to the newest. */
    final WorkerQueue ready = new WorkerQueue("ready");
    /** STARTING, or FINISHING in "state" isolation: each owes a READY and counts as spare. */
    final WorkerQueue preparing = new WorkerQueue("preparing");
    /** FINISHING in "process" isolation: it owes its exit. */
    final WorkerQueue exiting = new WorkerQueue("exiting");
    /** BUSY and not yet killed for it. */
    final WorkerQueue busy = new WorkerQueue("busy");

    private final Random random;
    private Settings settings;

    Pool(Settings settings) {
        this(settings, null);
    }

    /** With a given random source (tests); null for ThreadLocalRandom. */
    Pool(Settings settings, Random random) {
        this.settings = settings;
        this.random = random;
    }

    void update(Settings s) {
        settings = s;
    }

    int spare() {
        return ready.size() + preparing.size();
    }

    /** Whether another worker should start now (spawn throttling aside). */
    boolean wantsWorker() {
        return spare() < settings.workersSpare && all.size() < settings.workersMax;
    }

    /** The connections a worker starting now may serve before it retires. */
    int lifeOfNewWorker() {
        if (!settings.stateIsolation()) {
            return 1;
        }
        int c = settings.workersConnections;
        int jitter = c / 4;
        return c - (jitter == 0 ? 0 : (random != null ? random.nextInt(jitter + 1)
                : ThreadLocalRandom.current().nextInt(jitter + 1)));
    }

    // ---- transitions (the supervisor sets the worker's state) ----

    void started(Worker w, long now) {
        all.put(w.pid, w);
        w.life = lifeOfNewWorker();
        preparing.addLast(w, now);
    }

    void becameReady(Worker w, long now) {
        ready.addLast(w, now);
    }

    /** The most recently ready worker, taken out of the ready queue; null if none. */
    Worker takeReady() {
        Worker w = ready.newest();
        if (w != null) {
            ready.remove(w);
        }
        return w;
    }

    void becameBusy(Worker w, long now) {
        busy.addLast(w, now);
    }

    /** After DONE: whether the worker has served its life and should retire now. */
    boolean finished(Worker w, long now) {
        w.served++;
        if (settings.stateIsolation() && w.served < w.life) {
            preparing.addLast(w, now);
            return false;
        }
        if (!settings.stateIsolation()) {
            exiting.addLast(w, now);
            return false;
        }
        leaveQueue(w);
        return true;
    }

    /** Out of every queue: stopped, killed or exited. */
    void leaveQueue(Worker w) {
        if (w.queue != null) {
            w.queue.remove(w);
        }
    }

    void exited(Worker w) {
        leaveQueue(w);
        all.remove(w.pid);
    }

    // ---- deadlines ----

    private long idleNanos() {
        return (long) (settings.workersIdle * 1000) * MS;
    }

    /** The ready worker that has been idle too long above the spare target, or null. */
    Worker idleToRetire(long now) {
        Worker w = ready.oldest();
        // Counted on the ready workers alone (not on those preparing a state): a hot worker
        // between two connections must not make an idle one retire, only for the next burst of
        // two to start a JVM again (the churn one bench run showed).
        if (w == null || ready.size() <= settings.workersSpare || now - w.since < idleNanos()) {
            return null;
        }
        return w;
    }

    /** The next moment something in the pool falls due, or Long.MAX_VALUE. */
    long nextDeadline(long limitNanos) {
        long next = Long.MAX_VALUE;
        next = Math.min(next, deadlineOf(busy, limitNanos));
        next = Math.min(next, deadlineOf(preparing, limitNanos));
        next = Math.min(next, deadlineOf(exiting, limitNanos));
        Worker idle = ready.oldest();
        if (idle != null && ready.size() > settings.workersSpare) {
            next = Math.min(next, idle.since + idleNanos());
        }
        return next;
    }

    private static long deadlineOf(WorkerQueue q, long limitNanos) {
        Worker w = q.oldest();
        return w == null ? Long.MAX_VALUE : w.since + limitNanos;
    }

    /** The oldest worker of q if it has been there limitNanos or longer, else null. */
    static Worker overdue(WorkerQueue q, long now, long limitNanos) {
        Worker w = q.oldest();
        return w != null && now - w.since >= limitNanos ? w : null;
    }
}
