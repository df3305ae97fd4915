package kraken.posix.master;

import kraken.posix.Posix;

/**
 * The natives only the master calls, in libkraken.so with the others. Each returns a result or
 * -errno; {@link Epoll} and {@link Processes} turn a negative one into a PosixException, so raw
 * codes never leave this package.
 */
final class MasterNatives {
    private MasterNatives() {}

    static {
        // Loads libkraken.so (Posix's static initialiser) before any of these is linked.
        Posix.libraryPath();
    }

    static native int epollCreate0();
    static native int epollCtl0(int epfd, int op, int fd, int events, long data);
    static native int epollWait0(int epfd, long[] data, int[] events, int max, int timeoutMs);
    static native int waitpid0(int pid, int[] status, boolean nohang);
    static native int kill0(int pid, int sig);
    static native int pidfdOpen0(int pid);
    static native int unignoreSignal0(int sig);
    static native int killUid0(int uid);
    static native int setChildSubreaper0();
    // The walls around a worker (Walls; C in kraken_walls.c).
    static native int wallsPrepare0(String[] what);
    static native int wallsFilterLength0();
    static native int spawnWalled0(String path, String[] argv, String[] envp, int[] fdMap, int walls,
            String tmpOptions, int[] failure);
}
