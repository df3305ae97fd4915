package kraken.master;

import java.io.IOException;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;

/**
 * Starts workers while the pool wants them: the {@link SpawnPolicy} (kraken.mm.tries attempts
 * kraken.mm.timeout apart when the OS refuses a process, a back-off after a worker that died
 * before it was ready), a uid of kraken.user = {from, to} for each, and the end of the run when
 * no worker has ever started and none can.
 */
final class Spawner {
    private final MasterState state;
    private final Lifecycle lifecycle;
    private final Pool pool;
    private final Launcher launcher;
    /** What new workers start from; a HUP that ran the top level again brings a new one. */
    private LaunchPlan plan;
    private final SpawnPolicy policy;
    /** kraken.user = {from, to}; null without a range. */
    private final UidPool uids;

    void usePlan(LaunchPlan p) {
        this.plan = p;
    }

    Spawner(MasterState state, Lifecycle lifecycle, Pool pool, Launcher launcher, LaunchPlan plan, UidPool uids) {
        this.state = state;
        this.lifecycle = lifecycle;
        this.pool = pool;
        this.launcher = launcher;
        this.plan = plan;
        this.policy = new SpawnPolicy(state.settings);
        this.uids = uids;
        lifecycle.spawnedBy(this);
    }

    SpawnPolicy policy() {
        return policy;
    }

    boolean wantsWorker() {
        return !state.stopping && pool.wantsWorker() && (uids == null || !uids.full());
    }

    /** The next spawn attempt, when a worker is wanted, or the next check of a dying uid. */
    long nextDeadline(long now) {
        long next = Long.MAX_VALUE;
        if (wantsWorker()) {
            next = Math.min(next, policy.nextAttemptAt(now));
        }
        if (uids != null) {
            next = Math.min(next, uids.nextCheckAt());
        }
        return next;
    }

    /** Starts workers until the spare target is met, the policy says wait, or none can start. */
    void maintain(long now) {
        if (uids != null) {
            Orphans.reap(pool.all);
        }
        while (wantsWorker() && policy.mayAttempt(now) && state.startupFailure == null) {
            if (!spawn(now)) {
                return;
            }
        }
    }

    private boolean spawn(long now) {
        int uid = uids == null ? -1 : uids.take(now);
        if (uids != null && uid == -1) {
            return false; // every free uid still has processes dying: checked again soon
        }
        try {
            Worker w = launcher.spawn(state.settings, plan, state.generation, uid);
            policy.onSpawned();
            state.status.metrics.spawned();
            lifecycle.started(w, now);
            return true;
        } catch (IOException e) {
            if (uid != -1) {
                uids.giveBack(uid);
            }
            int attempt = policy.refusalsSoFar() + 1;
            long waitMs = policy.onRefused(now);
            state.status.metrics.spawnRefused();
            if (waitMs >= 0) {
                MasterLog.info("spawn refused by the OS (attempt " + attempt + " of " + state.settings.mmTries + "): "
                        + reason(e) + "; retrying in " + waitMs + " ms");
            } else {
                MasterLog.info("spawn refused by the OS (attempt " + attempt + " of " + state.settings.mmTries + "): "
                        + reason(e) + "; spawn abandoned until a worker is next needed");
                if (!state.anyReady && pool.all.isEmpty()) {
                    state.startupFailure = "no worker can start: " + e.getMessage();
                }
            }
            return false;
        }
    }

    // The OS's own words for a refused process; the whole message for a refused control group.
    private static String reason(IOException e) {
        return e instanceof PosixException p ? p.reason() : e.getMessage();
    }

    /** A worker reached READY for the first time. */
    void onReady() {
        policy.onReady();
    }

    /** A worker exited before it was ever ready. */
    void onBootFailure(Worker w, Processes.Exit exit, long now) {
        state.status.metrics.bootFailed();
        String why = w.bootError != null ? w.bootError
                : !w.relay.bootOutput().isEmpty() ? w.relay.bootOutput() : exit.toString();
        if (!state.anyReady) {
            state.startupFailure = "no worker can start: " + why;
            return;
        }
        state.notifier.reloadFailed("a worker failed before it was ready: " + why);
        long backoff = policy.onBootFailure(now);
        MasterLog.info("worker " + w.pid + " failed before it was ready: " + why + "; next start in " + backoff
                + " ms");
    }
}
