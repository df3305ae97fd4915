package kraken.master;

import java.util.Map;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;

/**
 * With a uid range the master is the child subreaper of its workers: what a worker leaves
 * running is reparented to the master, and once killed by uid it must be reaped here, or its
 * zombie would count as a process of that uid for ever (and against the next worker's
 * kraken.limits.processes). A worker reaped here by accident keeps its exit for
 * {@link Lifecycle}'s own reaping through its pidfd.
 */
final class Orphans {
    private Orphans() {}

    /** The script process (docs/processes.md): its exit, if reaped here, is kept for the command's status. */
    private static volatile int scriptPid = -1;
    private static volatile Processes.Exit scriptExit;

    static void keepExitOf(int pid) {
        scriptPid = pid;
        scriptExit = null;
    }

    /** The kept exit of the script process, or null when it was not reaped here. */
    static Processes.Exit keptExit() {
        return scriptExit;
    }

    static void reap(Map<Integer, Worker> workers) {
        try {
            Processes.Exit e;
            while ((e = Processes.waitpid(-1, true)) != null) {
                Worker w = workers.get(e.pid());
                if (w != null) {
                    w.exit = e;
                } else if (e.pid() == scriptPid) {
                    scriptExit = e;
                }
            }
        } catch (PosixException none) {
            // ECHILD: no children at all
        }
    }
}
