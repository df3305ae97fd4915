package kraken.master;

import java.util.concurrent.ThreadLocalRandom;
import kraken.settings.Settings;

/**
 * When the master may try to start a worker. Two failures, two rules (docs/configuration.md):
 * the OS refusing the process is retried kraken.mm.tries times with a random wait from
 * kraken.mm.timeout between attempts; a worker that started but died before it was ready
 * throttles spawning with an exponential back-off, so a broken script never makes it spin.
 */
final class SpawnPolicy {
    static final long MAX_BACKOFF_NANOS = 60_000_000_000L;
    private static final long FIRST_BACKOFF_NANOS = 1_000_000_000L;

    private Settings settings;
    /** Refused attempts in the current episode (0: none pending). */
    private int refusals;
    private long notBefore;
    private int bootFailuresInARow;
    private long refusedTotal;
    private long bootFailedTotal;

    SpawnPolicy(Settings settings) {
        this.settings = settings;
    }

    void update(Settings s) {
        this.settings = s;
    }

    boolean mayAttempt(long now) {
        return now >= notBefore;
    }

    /** The next time something is scheduled, or Long.MAX_VALUE. */
    long nextAttemptAt(long now) {
        return notBefore > now ? notBefore : Long.MAX_VALUE;
    }

    void onSpawned() {
        refusals = 0;
    }

    /**
     * The OS refused a process. Returns the wait before the next attempt in milliseconds, or -1
     * when this was the last of kraken.mm.tries and the spawn is abandoned.
     */
    long onRefused(long now) {
        refusals++;
        refusedTotal++;
        if (refusals < settings.mmTries) {
            long waitMs = settings.mmTimeoutMin
                    + ThreadLocalRandom.current().nextLong(settings.mmTimeoutMax - settings.mmTimeoutMin + 1L);
            notBefore = now + waitMs * 1_000_000L;
            return waitMs;
        }
        refusals = 0;
        // Abandoned: the next attempt waits for the next need, at least one full timeout later.
        notBefore = now + Math.max(settings.mmTimeoutMax, 1000) * 1_000_000L;
        return -1;
    }

    int refusalsSoFar() {
        return refusals;
    }

    /** A worker became ready: whatever broke boots before is fixed. */
    void onReady() {
        bootFailuresInARow = 0;
    }

    /** A worker died before it was ready. Returns the back-off in milliseconds. */
    long onBootFailure(long now) {
        bootFailuresInARow++;
        bootFailedTotal++;
        long backoff = Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(bootFailuresInARow - 1, 16));
        notBefore = Math.max(notBefore, now + backoff);
        return backoff / 1_000_000L;
    }

    long refusedTotal() {
        return refusedTotal;
    }

    long bootFailedTotal() {
        return bootFailedTotal;
    }
}
