package kraken.master;

import java.io.IOException;
import java.util.Map;
import kraken.master.cgroup.ControlGroups;
import kraken.settings.Settings;

/**
 * The master's one thread of control. Each turn it lets the parts act on the time that passed,
 * waits in the event loop for the wake pipe (signals), the workers' links, pidfds and stderr
 * pipes, the listening sockets or a deadline, and hands each event to the part it concerns:
 *
 * - {@link Lifecycle}: the one owner of every worker's state, its messages, exits and kills;
 * - {@link Admission}: accept, PROXY headers, the per-source limit, the hand-over;
 * - {@link Spawner}: starting workers (the spawn policy, kraken.mm, uid ranges);
 * - {@link Control}: signals (stop, reload, status report).
 *
 * Every change to the pool happens on this thread; nothing else touches it.
 */
final class Supervisor {
    private final MasterState state;
    private final Pool pool;
    private final EventLoop loop;
    private final Lifecycle lifecycle;
    private final Admission admission;
    private final Spawner spawner;
    private final Control control;

    Supervisor(Settings settings, LaunchPlan plan, Listeners listeners, Launcher launcher, SignalEvents signals,
               UidPool uids) throws IOException {
        this.state = new MasterState(settings);
        this.pool = new Pool(settings);
        this.loop = new EventLoop();
        SourceLimits sources = new SourceLimits(settings);
        this.lifecycle = new Lifecycle(state, pool, loop, launcher, sources, listeners, uids);
        this.spawner = new Spawner(state, lifecycle, pool, launcher, plan, uids);
        this.admission = new Admission(state, lifecycle, pool, loop, listeners, sources, uids);
        this.control = new Control(state, lifecycle, admission, spawner, pool, sources, plan, signals, listeners,
                loop, uids);
        loop.register(signals.wakeFd(), EventLoop.Priority.SIGNALS, events -> control.handleSignals());
    }

    /** On HUP, runs the script's top level again for a new image (docs/signals.md); null: keep the image. */
    Supervisor reloadingTopLevel(ScriptProcess.Reloads reloads) {
        control.reloadingTopLevel(reloads == null ? null : new TopLevelReload(reloads, loop));
        return this;
    }

    /** Tells systemd (NOTIFY_SOCKET) of readiness, reloads and the stop. */
    Supervisor notifying(SystemdNotifier n) {
        state.notifier = n;
        return this;
    }

    /** Puts each worker in a control group of its own from g. */
    Supervisor grouping(ControlGroups g) {
        state.groups = g;
        return this;
    }

    /** Counts into status, and publishes its snapshots when its status server asks. */
    Supervisor reporting(MasterStatus s) {
        state.status = s;
        return this;
    }

    /** Serves until a graceful stop (returns null) or until no worker can start (returns why). */
    String run() throws IOException {
        try {
            while (!(state.stopping && pool.all.isEmpty())) {
                long now = System.nanoTime();
                state.groups.removeDeadGroups(now);
                spawner.maintain(now);
                state.status.watchCap(pool.all.size(), pool.ready.isEmpty(), pool.preparing.isEmpty(),
                        state.settings.workersMax, state.stopping);
                admission.watchListeners();
                long next = Math.min(Math.min(lifecycle.nextDeadline(), spawner.nextDeadline(now)),
                        state.groups.nextRemovalAt());
                loop.runOnce(Math.min(next, Math.min(state.notifier.nextDeadline(now), admission.nextDeadline())));
                now = System.nanoTime();
                state.notifier.tick(now);
                admission.afterTurn(now);
                lifecycle.killOverdue(now);
                lifecycle.retireIdle(now);
                if (state.startupFailure != null && !state.stopping) {
                    control.beginStop(now, false);
                }
            }
        } finally {
            control.abandonReload();
            admission.closeListeners();
            loop.close();
        }
        return state.startupFailure;
    }

    /**
     * Connections closed before reaching a worker, by reason ("per_source", "no_worker",
     * "proxy_invalid", "proxy_timeout", "proxy_closed").
     */
    Map<String, Long> refusalCounts() {
        return admission.refusalCounts();
    }
}
