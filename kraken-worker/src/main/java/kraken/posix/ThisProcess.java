package kraken.posix;

/**
 * The calling process itself: its pid, limits, session, CPU time, parent-death signal,
 * environment and its immediate exit.
 * Each method returns its result or throws {@link PosixException} naming the call; raw results
 * and errno stay in this package ({@link Natives}).
 */
public final class ThisProcess {
    private ThisProcess() {}

    /** Removes a variable from the process's C environment (System.getenv keeps its own copy). */
    public static void unsetenv(String name) throws PosixException {
        Natives.check("unsetenv", Natives.unsetenv0(name));
    }

    /**
     * Ends the process now with this status, without the JVM's shutdown (no hooks, no
     * finalisation): for a worker whose outcome the master already has. Flush streams first.
     */
    public static void exitNow(int status) {
        Natives.exitNow0(status);
    }

    public static int getpid() {
        return Natives.getpid0();
    }

    public static boolean isatty(int fd) {
        return Natives.isatty0(fd) == 1;
    }

    public static void setParentDeathSignal(int signal) throws PosixException {
        Natives.check("prctl", Natives.setParentDeathSignal0(signal));
    }

    public static void setrlimit(int resource, long soft, long hard) throws PosixException {
        Natives.check("setrlimit", Natives.setrlimit0(resource, soft, hard));
    }

    /** {soft, hard}; -1 stands for no limit. */
    public static long[] getrlimit(int resource) throws PosixException {
        long[] out = new long[2];
        Natives.check("getrlimit", Natives.getrlimit0(resource, out));
        return out;
    }

    /** {process group, session} of this process. */
    public static int[] getpgsid() throws PosixException {
        int[] out = new int[2];
        Natives.check("getsid", Natives.getpgsid0(out));
        return out;
    }

    /** CPU time used so far by the whole process, every thread, in nanoseconds. */
    public static long processCpuNanos() throws PosixException {
        return Natives.check("clock_gettime", Natives.processCpuNanos0());
    }
}
