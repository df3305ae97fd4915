package kraken.master;

import kraken.lua.Registry;
import kraken.lua.Settings;
import kraken.posix.Posix;

/**
 * The user workers run as: the one the script registered, else kraken.user, else "nobody" for a
 * root master and the master's own user otherwise. Root only with kraken.allow_root.
 */
record WorkerUser(String name, int uid, int gid, int[] groups) {

    /** Resolves the user, or throws IllegalArgumentException with the reason it cannot be used. */
    static WorkerUser resolve(Registry registry, Settings settings) {
        int self = Posix.geteuid();
        String wanted = registry.user() != null ? registry.user() : settings.user;
        if (wanted == null) {
            wanted = self == 0 ? "nobody" : Integer.toString(self);
        }
        Posix.User u = wanted.matches("\\d+") ? Posix.getpwuid(Integer.parseInt(wanted)) : Posix.getpwnam(wanted);
        if (u == null) {
            if (!wanted.matches("\\d+")) {
                throw new IllegalArgumentException("no such user: " + wanted);
            }
            // A uid with no passwd entry: its own group, no supplementary groups.
            int id = Integer.parseInt(wanted);
            u = new Posix.User(wanted, id, id, new int[] {id});
        }
        if (u.uid() == 0 && !settings.allowRoot) {
            throw new IllegalArgumentException(
                    "workers may not run as root (set kraken.allow_root = true in the configuration file)");
        }
        if (self != 0 && u.uid() != self) {
            throw new IllegalArgumentException("a master that is not root can only run workers as its own user, not "
                    + u.name());
        }
        return new WorkerUser(u.name(), u.uid(), u.gid(), u.groups());
    }

    @Override
    public String toString() {
        return name + " (uid " + uid + ", gid " + gid + ")";
    }
}
