package kraken.worker;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import kraken.posix.Posix;
import kraken.posix.Privileges;
import kraken.posix.ThisProcess;

/**
 * Switches this process to the application's user, in the one safe order (supplementary groups,
 * then gid, then uid: once the uid is dropped the others can no longer be changed), hardens it
 * (docs/hostile-input.md) and then verifies that all of it took and cannot be undone. Nothing runs Lua
 * before this returns.
 *
 * <p>Hardening, each step where it must happen:
 * <ul>
 * <li>RLIMIT_CORE 0 (soft and hard): a crashing worker leaves no core with a connection's data.
 * <li>no_new_privs: no program the script executes (a setuid su, ping with file capabilities)
 *     can gain a privilege. Inherited by every descendant and never cleared.
 * <li>an empty capability bounding set, ambient set and inheritable set, while still root
 *     (dropping needs CAP_SETPCAP): even a later exec of a file with capabilities gets none.
 *     The uid switch then empties the permitted and effective sets.
 * <li>These are attributes of each thread, and a JVM has many before any Java code runs:
 *     {@link Posix#hardenAllThreads} sets them in every one.
 * <li>not dumpable, after the uid switch (a switch resets dumpable to fs.suid_dumpable): other
 *     processes of the same uid cannot ptrace this one, read its memory or its /proc files.
 * </ul>
 * A worker that is allowed to run as root (kraken.allow_root) keeps root's capabilities: the
 * administrator asked for root.
 */
public final class PrivilegeDrop {
    private PrivilegeDrop() {}

    /** The only variables of the master's environment a worker gets (WorkerLauncher passes them). */
    static boolean allowedVariable(String name) {
        return name.equals("PATH") || name.equals("LANG") || name.equals("TZ") || name.startsWith("LC_");
    }

    /**
     * @param spawned whether the master started this process (as opposed to the build's training
     *     run in one JVM): then the session and the environment it was given are verified too
     */
    static void apply(int uid, int gid, int[] groups, boolean allowRoot, boolean spawned) throws IOException {
        if (uid == 0 && !allowRoot) {
            throw new IOException("refusing to run a worker as root (kraken.allow_root is false)");
        }
        int[] ids = Privileges.getresids();
        boolean root = ids[1] == 0;
        ThisProcess.setrlimit(Posix.Constant.RLIMIT_CORE.value, 0, 0);
        Privileges.hardenAllThreads(root && uid != 0);
        if (root) {
            // glibc makes every thread of the JVM switch, not only the calling one.
            Privileges.setgroups(groups);
            Privileges.setgid(gid);
            Privileges.setuid(uid);
        }
        Privileges.setDumpable(false);
        verify(uid, gid, groups, root);
        if (spawned) {
            verifyLaunch();
        }
    }

    /**
     * The script process of a root master (docs/processes.md): the same drop and hardening as a
     * worker's, in a session of its own. Its environment is the command's (a script reads it as
     * under lua5.1), less what the master removed, so that is not verified here.
     */
    public static void applyToScriptProcess(int uid, int gid, int[] groups, boolean allowRoot) throws IOException {
        apply(uid, gid, groups, allowRoot, false);
        if (!procStatus().contains("\nSeccomp:\t2\n")) {
            throw new IOException("hardening failed: the script process runs without its system-call filter"
                    + " (Seccomp is not 2)");
        }
        verifySession();
    }

    // What WorkerLauncher set up: a session of its own, the scrubbed environment, and the
    // system-call filter the master installs before this JVM's first instruction (docs/walls.md).
    private static void verifyLaunch() throws IOException {
        if (!procStatus().contains("\nSeccomp:\t2\n")) {
            throw new IOException("hardening failed: the worker runs without its system-call filter (Seccomp is not 2)");
        }
        verifySession();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!allowedVariable(e.getKey())) {
                throw new IOException("hardening failed: environment variable " + e.getKey() + " was passed");
            }
        }
    }

    private static void verifySession() throws IOException {
        int[] pgsid = ThisProcess.getpgsid();
        int pid = ThisProcess.getpid();
        if (pgsid[0] != pid || pgsid[1] != pid) {
            throw new IOException("hardening failed: process group " + pgsid[0] + ", session " + pgsid[1]
                    + ", expected this process's own (" + pid + ")");
        }
    }

    private static void verify(int uid, int gid, int[] groups, boolean wasRoot) throws IOException {
        int[] ids = Privileges.getresids();
        for (int i = 0; i < 3; i++) {
            if (ids[i] != uid) {
                throw new IOException("privilege drop failed: uids are " + Arrays.toString(Arrays.copyOf(ids, 3))
                        + ", expected " + uid);
            }
            if (wasRoot && ids[3 + i] != gid) {
                throw new IOException("privilege drop failed: gids are "
                        + Arrays.toString(Arrays.copyOfRange(ids, 3, 6)) + ", expected " + gid);
            }
        }
        if (wasRoot) {
            int[] have = Privileges.getgroups().clone();
            int[] want = groups.clone();
            Arrays.sort(have);
            Arrays.sort(want);
            if (!Arrays.equals(have, want)) {
                throw new IOException("privilege drop failed: groups are " + Arrays.toString(have) + ", expected "
                        + Arrays.toString(want));
            }
        }
        if (!Privileges.noNewPrivs()) {
            throw new IOException("hardening failed: no_new_privs is not set");
        }
        if (Privileges.dumpable()) {
            throw new IOException("hardening failed: the worker is still dumpable");
        }
        long[] core = ThisProcess.getrlimit(Posix.Constant.RLIMIT_CORE.value);
        if (core[0] != 0 || core[1] != 0) {
            throw new IOException("hardening failed: RLIMIT_CORE is " + core[0] + ":" + core[1]);
        }
        if (uid != 0) {
            try {
                Privileges.setuid(0);
            } catch (IOException expected) {
                verifyNoCapabilities(wasRoot);
                return;
            }
            throw new IOException("privilege drop failed: the worker could become root again");
        }
    }

    // java.io, not java.nio.file: NIO would load libnet into every worker and keep a socket open.
    private static String procStatus() throws IOException {
        try (FileInputStream in = new FileInputStream("/proc/self/status")) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static void verifyNoCapabilities(boolean wasRoot) throws IOException {
        String status = procStatus();
        for (String line : status.split("\n")) {
            boolean set = line.startsWith("CapEff:") || line.startsWith("CapPrm:") || line.startsWith("CapInh:")
                    || line.startsWith("CapAmb:");
            // A non-root master cannot empty the bounding set (that needs CAP_SETPCAP); with
            // no_new_privs and no permitted capabilities it grants nothing anyway.
            if (set || (wasRoot && line.startsWith("CapBnd:"))) {
                if (Long.parseUnsignedLong(line.substring(7).trim(), 16) != 0) {
                    throw new IOException("privilege drop failed: capabilities remain (" + line + ")");
                }
            }
        }
    }
}
