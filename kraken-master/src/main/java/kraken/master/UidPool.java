package kraken.master;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;

/**
 * kraken.user = {from, to}: a uid of its own for every live worker, so that concurrent
 * connections cannot signal, trace or read each other even through the OS. A uid goes to a new
 * worker only once no process of it is left: the master kills what is left, by uid
 * ({@link Posix#killAllOfUid}, one short-lived child per call), when a worker is reaped and again
 * before the uid is given out. A uid whose processes were signalled but are not gone yet is
 * "dirty" and is checked again a little later; the supervisor never waits for it. The range
 * caps the workers alive at once. Only the supervisor thread uses it.
 */
final class UidPool {
    /** How long a dirty uid waits before it is checked again. */
    static final long RECHECK_NANOS = 20_000_000L;
    /** Uids tried per take(): bounds the supervisor's work when many are dirty. */
    private static final int TRIES_PER_TAKE = 8;

    final int from;
    final int to;
    /** Uids believed clean, least recently used first (leftovers get the longest time to die). */
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final Set<Integer> inUse = new HashSet<>();
    private final Map<Integer, Long> dirty = new LinkedHashMap<>();
    private long kills;
    private long killNanos;

    UidPool(int from, int to) {
        this.from = from;
        this.to = to;
        for (long u = Integer.toUnsignedLong(from); u <= Integer.toUnsignedLong(to); u++) {
            free.add((int) u);
        }
    }

    int size() {
        return (int) (Integer.toUnsignedLong(to) - Integer.toUnsignedLong(from) + 1);
    }

    /** Every uid belongs to a live worker: the range's cap on workers alive is reached. */
    boolean full() {
        return inUse.size() >= size();
    }

    /** A uid with no process left, now given to a new worker; -1 when none is clean yet. */
    int take(long now) {
        recheck(now);
        for (int i = 0; i < TRIES_PER_TAKE && !free.isEmpty(); i++) {
            int uid = free.pollFirst();
            if (clean(uid)) {
                inUse.add(uid);
                return uid;
            }
            dirty.put(uid, now + RECHECK_NANOS);
        }
        return -1;
    }

    /** A spawn that never ran under uid gives it straight back. */
    void giveBack(int uid) {
        if (inUse.remove(uid)) {
            free.addFirst(uid);
        }
    }

    /** The worker that had uid is reaped: what it left behind is killed now. */
    void release(int uid, long now) {
        if (!inUse.remove(uid)) {
            return;
        }
        if (clean(uid)) {
            free.addLast(uid);
        } else {
            MasterLog.info("uid " + Integer.toUnsignedString(uid) + ": killed what its last worker left running");
            dirty.put(uid, now + RECHECK_NANOS);
        }
    }

    /** When a dirty uid is next due for a check; Long.MAX_VALUE when there is none. */
    long nextCheckAt() {
        long next = Long.MAX_VALUE;
        for (long t : dirty.values()) {
            next = Math.min(next, t);
        }
        return next;
    }

    /** Checks (and kills again) the dirty uids that are due. */
    void recheck(long now) {
        for (Iterator<Map.Entry<Integer, Long>> it = dirty.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Long> e = it.next();
            if (e.getValue() > now) {
                continue;
            }
            if (clean(e.getKey())) {
                it.remove();
                free.addLast(e.getKey());
            } else {
                e.setValue(now + RECHECK_NANOS);
            }
        }
    }

    boolean hasDirty() {
        return !dirty.isEmpty();
    }

    /** "kills=N avg=Xus": what killing by uid has cost, for the status line. */
    String cost() {
        return "kills by uid " + kills + ", " + (kills == 0 ? 0 : killNanos / kills / 1000) + " us each";
    }

    private boolean clean(int uid) {
        long t0 = System.nanoTime();
        try {
            return !Processes.killAllOfUid(uid);
        } catch (PosixException e) {
            MasterLog.info("uid " + Integer.toUnsignedString(uid) + ": cannot kill its processes: " + e.reason()
                    + "; not used");
            return false;
        } finally {
            kills++;
            killNanos += System.nanoTime() - t0;
        }
    }

    @Override
    public String toString() {
        return "uids " + Integer.toUnsignedString(from) + "-" + Integer.toUnsignedString(to);
    }
}
