package kraken.master;

import static kraken.master.MasterState.fmt;

import java.util.ArrayList;
import java.util.List;
import kraken.settings.ReloadableKeys;
import kraken.settings.Settings;

/**
 * What the signals ask of the master (see docs/signals.md): TERM and INT a graceful stop (a
 * second one kills the busy workers), HUP the configuration re-read and the workers restarted,
 * USR1 the status line in the log; and the snapshot the status server asked for.
 */
final class Control {
    private static final long MS = 1_000_000L;

    private final MasterState state;
    private final Lifecycle lifecycle;
    private final Admission admission;
    private final Spawner spawner;
    private final Pool pool;
    private final SourceLimits sources;
    private final LaunchPlan plan;
    /** HUP runs the top level again (TopLevelReload); null: new workers keep the image. */
    private TopLevelReload topLevel;
    private final SignalEvents signals;
    private final Listeners listeners;
    private final EventLoop loop;
    /** kraken.user = {from, to}; null without a range. */
    private final UidPool uids;

    Control(MasterState state, Lifecycle lifecycle, Admission admission, Spawner spawner, Pool pool,
            SourceLimits sources, LaunchPlan plan, SignalEvents signals, Listeners listeners, EventLoop loop,
            UidPool uids) {
        this.state = state;
        this.lifecycle = lifecycle;
        this.admission = admission;
        this.spawner = spawner;
        this.pool = pool;
        this.sources = sources;
        this.plan = plan;
        this.signals = signals;
        this.listeners = listeners;
        this.loop = loop;
        this.uids = uids;
    }

    void handleSignals() {
        SignalEvents.Event e;
        while ((e = signals.next()) != null) {
            long now = System.nanoTime();
            switch (e) {
                case STOP -> beginStop(now, true);
                case RESTART -> restartWorkers();
                case STATUS -> reportStatus();
                case SNAPSHOT -> state.status.publishIfAsked(pool.all.values(), listeners, state.settings,
                        state.generation, state.stopping);
            }
        }
    }

    void beginStop(long now, boolean graceful) {
        if (state.stopping) {
            MasterLog.info("second stop request: killing busy workers now");
            state.graceDeadline = now;
            return;
        }
        state.stopping = true;
        state.notifier.stopping();
        admission.close();
        state.graceDeadline = graceful ? now + (long) (state.settings.grace * 1000) * MS : now;
        if (graceful) {
            MasterLog.info("stopping: listeners closed, waiting up to " + fmt(state.settings.grace)
                    + " s for busy workers");
        }
        lifecycle.stopAll();
    }

    private void restartWorkers() {
        state.notifier.reloading(System.nanoTime());
        try {
            Settings fresh = plan.reloadSettings().call();
            Settings s = ReloadableKeys.apply(state.settings, fresh);
            state.settings = s;
            spawner.policy().update(s);
            pool.update(s);
            sources.update(s);
            MasterLog.info("configuration reloaded: " + s.isolation + " isolation, workers spare "
                    + s.workersSpare + " max " + s.workersMax + ", limits.time "
                    + fmt(s.limitTime) + " s, mm.tries " + s.mmTries + ", workers idle "
                    + fmt(s.workersIdle) + " s");
        } catch (Exception ex) {
            MasterLog.info("reload: the configuration was not applied: " + ex.getMessage());
        }
        if (topLevel != null) {
            topLevel.start(state.settings, this::topLevelReloaded);
            return;
        }
        replaceWorkers();
    }

    void reloadingTopLevel(TopLevelReload t) {
        this.topLevel = t;
    }

    void abandonReload() {
        if (topLevel != null) {
            topLevel.close();
        }
    }

    // The new image, or why there is none (then new workers start from the old one).
    private void topLevelReloaded(byte[] image, java.nio.file.Path scriptDir, String failure) {
        if (failure != null) {
            MasterLog.info("reload: " + failure + "; new workers start from the old image");
        } else {
            spawner.usePlan(new LaunchPlan(image, scriptDir, plan.reloadSettings()));
            MasterLog.info("reload: the top level ran again; new workers start from its image (" + image.length
                    + " bytes)");
        }
        if (!state.stopping) {
            replaceWorkers();
        }
    }

    private void replaceWorkers() {
        state.generation++;
        MasterLog.info("restarting workers (generation " + state.generation + ")");
        lifecycle.restartAll();
    }

    private void reportStatus() {
        List<String> parts = new ArrayList<>();
        lifecycle.counts().forEach((s, n) -> parts.add(s.name().toLowerCase() + "=" + n));
        SpawnPolicy policy = spawner.policy();
        MasterLog.info("status: workers " + String.join(" ", parts) + "; connections served=" + state.served
                + "; spawn failures refused=" + policy.refusedTotal() + " died-before-ready="
                + policy.bootFailedTotal() + "; refused " + refusals() + (uids == null ? "" : "; " + uids.cost()) + "; " + state.groups.cost()
                + "; generation " + state.generation + "; spare " + pool.spare() + " of " + state.settings.workersSpare
                + ", descriptors watched " + loop.registered());
    }

    private String refusals() {
        List<String> parts = new ArrayList<>();
        admission.refusalCounts().forEach((reason, n) -> parts.add(reason + "=" + n));
        return String.join(" ", parts);
    }
}
