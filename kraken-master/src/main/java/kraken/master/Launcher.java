package kraken.master;

import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;
import kraken.settings.Settings;

/**
 * How the supervisor starts, kills and reaps worker processes: {@link WorkerLauncher} for real,
 * a fake in the unit tests of the lifecycle and of admission, which start no process.
 */
interface Launcher {
    /**
     * Starts one worker (uid >= 0: as that uid, from kraken.user = {from, to}); throws when the
     * OS refuses the process or its control group, leaving nothing open or running.
     */
    Worker spawn(Settings s, LaunchPlan plan, int generation, int uid) throws java.io.IOException;

    /** SIGKILL to the worker's process; its exit comes back through its pidfd. */
    default void kill(Worker w) throws PosixException {
        Processes.kill(w.pid, Posix.Constant.SIGKILL.value);
    }

    /** The worker's exit, or null when it has not exited yet (the pidfd fired early). */
    default Processes.Exit reap(Worker w) throws PosixException {
        return Processes.waitpid(w.pid, true);
    }
}
