package kraken.master;

import kraken.posix.master.Processes;
import kraken.settings.Settings;
import kraken.posix.Posix;
import kraken.protocol.Protocol;

/**
 * What a worker's death means (docs/hostile-input.md, "exit statuses are protocol"): the words the log
 * gives it, and whether it is a failure to start, which throttles spawning.
 *
 * <p>Only a worker that failed before a READY is a failure to start: it died while starting
 * without the master killing it, it reported FAILED (its script or setup broke, also when a
 * "state" worker prepares its next state), or it was not ready within kraken.limits.time.
 * Whatever ends a worker after that (out of memory, kraken.limits.cpu, a signal, any exit status
 * a script's os.exit() chose) ends its connection and nothing more. The status only names the
 * cause; it never decides the throttling, since a script can exit with any number.
 */
record WorkerEnd(String description, boolean bootFailure) {
    static WorkerEnd of(Worker w, Processes.Exit exit, Settings s) {
        boolean notReadyInTime = w.bootError != null && w.killedBecause != null
                && w.killedBecause.startsWith("not ready");
        boolean boot = notReadyInTime
                || (w.killedBecause == null && (w.state == Worker.State.STARTING || w.bootError != null));
        return new WorkerEnd(describe(exit, s, w.killedBecause), boot);
    }

    static String describe(Processes.Exit exit, Settings s, String killedBecause) {
        if (killedBecause != null) {
            return exit + " (" + killedBecause + ")";
        }
        if (exit.exited()) {
            return switch (exit.exitCode()) {
                case Protocol.EXIT_OUT_OF_MEMORY -> "out of memory (kraken.limits.memory " + s.limitMemory + "), "
                        + exit;
                case Protocol.EXIT_CPU_LIMIT -> cpuLimit(s) + ", " + exit;
                case Protocol.EXIT_RETIRED -> "retired: a connection left descriptors it could not close, " + exit;
                default -> exit.toString();
            };
        }
        if (exit.signal() == Posix.Constant.SIGXCPU.value) {
            return cpuLimit(s) + ", " + exit;
        }
        return exit.toString();
    }

    private static String cpuLimit(Settings s) {
        return "CPU limit (kraken.limits.cpu " + (s.limitCpu == null ? "?" : s.limitCpu) + " s)";
    }
}
