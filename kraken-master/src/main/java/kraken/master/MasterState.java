package kraken.master;

import kraken.master.cgroup.ControlGroups;
import kraken.settings.Settings;

/**
 * What the supervisor's parts share, on its one thread: the settings in force (a HUP replaces
 * them), the generation of workers they started, whether a stop is under way and until when busy
 * workers may finish, and why no worker can start, when none can.
 */
final class MasterState {
    private static final long MS = 1_000_000L;

    Settings settings;
    /** Bumped by each HUP: a worker of an older generation retires when it next could. */
    int generation;
    boolean stopping;
    /** When busy workers are killed: the end of the grace period (Long.MAX_VALUE: none). */
    long graceDeadline = Long.MAX_VALUE;
    boolean graceKillsDone;
    /** Whether any worker has ever been ready: before that, a worker that cannot start ends the run. */
    boolean anyReady;
    /** Why no worker can start; the run ends with it. */
    String startupFailure;
    /** Connections that reached a worker and ended. */
    long served;
    /** Counters and snapshots for kraken.status (always counting; snapshots only when asked). */
    MasterStatus status = new MasterStatus(null);
    /** Tells systemd (NOTIFY_SOCKET) of readiness, reloads and the stop. */
    SystemdNotifier notifier = SystemdNotifier.none();
    /** The workers' control groups (docs/configuration.md, Control groups); none until the master finds them. */
    ControlGroups groups = ControlGroups.none("not asked for");

    MasterState(Settings settings) {
        this.settings = settings;
    }

    long limitNanos() {
        return (long) (settings.limitTime * 1000) * MS;
    }

    /** Seconds as the configuration would write them: "300", "0.5". */
    static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
