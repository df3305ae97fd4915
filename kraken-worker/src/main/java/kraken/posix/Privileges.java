package kraken.posix;

/**
 * Users and privileges: the password database, ids and groups, and the calls a worker makes
 * to drop root for good (no_new_privs, capabilities, dumpable).
 * Each method returns its result or throws {@link PosixException} naming the call; raw results
 * and errno stay in this package ({@link Natives}).
 */
public final class Privileges {
    private Privileges() {}

    public static boolean noNewPrivs() throws PosixException {
        return Natives.check("prctl", Natives.getPrctl0(0)) == 1;
    }

    /** PR_SET_DUMPABLE: off, no core dump, no ptrace and no /proc access by same-uid processes. */
    public static void setDumpable(boolean on) throws PosixException {
        Natives.check("prctl", Natives.setDumpable0(on));
    }

    public static boolean dumpable() throws PosixException {
        return Natives.check("prctl", Natives.getPrctl0(1)) != 0;
    }

    /**
     * In every thread of this process: sets no_new_privs (no execve can grant a privilege: setuid
     * bits, file capabilities), empties the inheritable capability set and, with dropBoundingSet,
     * the bounding and ambient sets, which needs CAP_SETPCAP, so before the uid switch. Each of
     * these is a per-thread attribute; threads started afterwards inherit them.
     */
    public static void hardenAllThreads(boolean dropBoundingSet) throws PosixException {
        Natives.check("prctl", Natives.hardenAllThreads0(dropBoundingSet));
    }

    public static void setgroups(int[] groups) throws PosixException {
        Natives.check("setgroups", Natives.setgroups0(groups));
    }

    /** Sets the real, effective and saved group id. */
    public static void setgid(int gid) throws PosixException {
        Natives.check("setresgid", Natives.setgid0(gid));
    }

    /** Sets the real, effective and saved user id. */
    public static void setuid(int uid) throws PosixException {
        Natives.check("setresuid", Natives.setuid0(uid));
    }

    /** {real, effective, saved} uid followed by {real, effective, saved} gid. */
    public static int[] getresids() throws PosixException {
        int[] ids = new int[6];
        Natives.check("getresuid", Natives.getresids0(ids));
        return ids;
    }

    /** The effective uid (getresuid cannot fail for the calling process). */
    public static int geteuid() {
        int[] ids = new int[6];
        if (Natives.getresids0(ids) < 0) {
            throw new IllegalStateException("getresuid(..) failed");
        }
        return ids[1];
    }

    public static int[] getgroups() {
        int[] g = Natives.getgroups0();
        if (g == null) {
            throw new IllegalStateException("getgroups(..) failed");
        }
        return g;
    }

    /** A user from the password database, with its groups; null if there is none. */
    public static User getpwnam(String name) {
        return User.of(Natives.getpw0(name, 0));
    }

    public static User getpwuid(int uid) {
        return User.of(Natives.getpw0(null, uid));
    }

    /** A password database entry: name, uid, primary gid and every group it belongs to. */
    public record User(String name, int uid, int gid, int[] groups) {
        static User of(String[] raw) {
            if (raw == null) {
                return null;
            }
            int[] groups = new int[raw.length - 3];
            for (int i = 0; i < groups.length; i++) {
                groups[i] = Integer.parseUnsignedInt(raw[3 + i]);
            }
            return new User(raw[0], Integer.parseUnsignedInt(raw[1]), Integer.parseUnsignedInt(raw[2]), groups);
        }
    }
}
