package kraken.posix.master;

import kraken.posix.PosixException;

/** Signalling and reaping processes: what only the master does (starting them: {@link Walls}). */
public final class Processes {
    private Processes() {}

    /** A child's exit as waitpid(2) reported it. */
    public record Exit(int pid, int status) {
        public boolean exited() {
            return (status & 0x7f) == 0;
        }

        public int exitCode() {
            return (status >> 8) & 0xff;
        }

        public int signal() {
            return status & 0x7f;
        }

        @Override
        public String toString() {
            return exited() ? "exit status " + exitCode() : "killed by signal " + signal();
        }
    }

    /** Waits for pid (-1: any child); with nohang, returns null when nothing has exited. */
    public static Exit waitpid(int pid, boolean nohang) throws PosixException {
        int[] status = new int[1];
        int r = PosixException.check("waitpid", MasterNatives.waitpid0(pid, status, nohang));
        return r == 0 ? null : new Exit(r, status[0]);
    }

    public static void kill(int pid, int signal) throws PosixException {
        PosixException.check("kill", MasterNatives.kill0(pid, signal));
    }

    /** A descriptor that polls readable once the process has exited. */
    public static int pidfdOpen(int pid) throws PosixException {
        return PosixException.check("pidfd_open", MasterNatives.pidfdOpen0(pid));
    }

    /** Restores the default action of a signal inherited as ignored; returns whether it was ignored. */
    public static boolean unignoreSignal(int signal) throws PosixException {
        return PosixException.check("sigaction", MasterNatives.unignoreSignal0(signal)) == 1;
    }

    /**
     * Sends SIGKILL to every process of uid (from a child that takes that uid, so nothing else
     * can be hit). Returns true when some process was signalled: it may not be gone yet, so the
     * caller asks again later; false when the uid has no process at all (zombies count as
     * processes until they are reaped).
     */
    public static boolean killAllOfUid(int uid) throws PosixException {
        return PosixException.check("kill", MasterNatives.killUid0(uid)) == 1;
    }

    /** Makes this process the reaper of its orphaned descendants (PR_SET_CHILD_SUBREAPER). */
    public static void setChildSubreaper() throws PosixException {
        PosixException.check("prctl", MasterNatives.setChildSubreaper0());
    }
}
