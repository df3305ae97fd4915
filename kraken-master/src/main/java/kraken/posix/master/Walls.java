package kraken.posix.master;

import kraken.posix.PosixException;

/**
 * Spawning a worker inside the walls the kernel holds around it (docs/walls.md): the
 * system-call filter always, and on request a network namespace of its own and a read-only file
 * system with a private /tmp. Each is built in the child between clone and exec (kraken_walls.c
 * says why there), so it covers the whole JVM from its first instruction.
 */
public final class Walls {
    private Walls() {}

    /** {@link #spawn} flags: a network namespace of its own; a read-only file system and a private /tmp. */
    public static final int NETWORK = 1;
    public static final int FILES = 2;
    /** Build the walls in a child that then exits, executing nothing: the master's check at start. */
    public static final int PROBE = 4;

    /** The steps of a walled spawn in kraken_walls.c's order: the call each makes and the wall it builds. */
    private static final String[][] STEPS = {
        {"", ""}, {"rt_sigaction", ""}, {"setsid", ""},
        {"unshare(CLONE_NEWNET)", "kraken.confine.network = \"none\""},
        {"unshare(CLONE_NEWNS)", "kraken.confine.files = \"read-only\""},
        {"mount_setattr(/, read-only)", "kraken.confine.files = \"read-only\""},
        {"mount(tmpfs on /tmp)", "kraken.confine.files = \"read-only\""},
        {"dup2", ""}, {"prctl(PR_SET_NO_NEW_PRIVS)", "the system-call filter"},
        {"seccomp", "the system-call filter"}, {"execve", ""},
    };

    /**
     * Compiles the workers' system-call filter with libseccomp, once per process; returns its
     * length in BPF instructions. Throws when libseccomp refuses it.
     */
    public static synchronized int prepare() throws PosixException {
        String[] what = new String[1];
        int r = MasterNatives.wallsPrepare0(what);
        PosixException.check("the system-call filter: " + what[0], r);
        return MasterNatives.wallsFilterLength0();
    }

    /**
     * Starts a program, inside the walls (the flags above; the system-call filter always). fdMap
     * holds pairs (child fd, parent fd); every descriptor above the highest child fd is closed
     * in the child, which gets default signal dispositions, an empty signal mask and a session of
     * its own: a failed step throws a PosixException whose call names the wall
     * and the system call, like {@code kraken.confine.network = "none": unshare(CLONE_NEWNET)(..)
     * failed}. tmpOptions are the mount options of the private /tmp. Returns the pid (0 for PROBE).
     */
    public static int spawn(String path, String[] argv, String[] envp, int[] fdMap, int walls, String tmpOptions)
            throws PosixException {
        int[] failure = new int[2];
        int r = MasterNatives.spawnWalled0(path, argv, envp, fdMap, walls, tmpOptions, failure);
        if (r >= 0) {
            return r;
        }
        if (failure[0] <= 0 || failure[0] >= STEPS.length) {
            return PosixException.check("clone", r);
        }
        String[] step = STEPS[failure[0]];
        return PosixException.check(step[1].isEmpty() ? step[0] : step[1] + ": " + step[0], r);
    }
}
