package kraken.master;

import kraken.posix.Privileges;
import kraken.settings.Settings;

/**
 * The user workers run as: the one the script registered, else kraken.user, else "nobody" for a
 * root master and the master's own user otherwise. Root only with kraken.allow_root. With
 * kraken.user = {from, to} (and no user registered by the script), {@link #range} hands each
 * worker a uid of its own.
 */
record WorkerUser(String name, int uid, int gid, int[] groups, UidPool range) {

    /** Resolves the user, or throws IllegalArgumentException with the reason it cannot be used. */
    static WorkerUser resolve(String registered, Settings settings) {
        int self = Privileges.geteuid();
        if (registered == null && settings.userFrom != null) {
            if (self != 0) {
                throw new IllegalArgumentException("a uid range (kraken.user = {from, to}) needs a master that runs as root");
            }
            UidPool pool = new UidPool(settings.userFrom, settings.userTo);
            return new WorkerUser(pool.toString(), -1, -1, new int[0], pool);
        }
        String wanted = registered != null ? registered : settings.user;
        if (wanted == null) {
            wanted = self == 0 ? "nobody" : Integer.toString(self);
        }
        Privileges.User u = wanted.matches("\\d+") ? Privileges.getpwuid(Integer.parseInt(wanted)) : Privileges.getpwnam(wanted);
        if (u == null) {
            if (!wanted.matches("\\d+")) {
                throw new IllegalArgumentException("no such user: " + wanted);
            }
            // A uid with no passwd entry: its own group, no supplementary groups.
            int id = Integer.parseInt(wanted);
            u = new Privileges.User(wanted, id, id, new int[] {id});
        }
        // The script process checked kraken.users at registerUser; it is not trusted, so again here.
        if (registered != null && !settings.userAllowed(u.name(), Integer.toUnsignedLong(u.uid()))) {
            throw new IllegalArgumentException("user " + registered + " is not allowed by the configuration");
        }
        if (u.uid() == 0 && !settings.allowRoot) {
            throw new IllegalArgumentException(
                    "workers may not run as root (set kraken.allow_root = true in the configuration file)");
        }
        if (self != 0 && u.uid() != self) {
            throw new IllegalArgumentException("a master that is not root can only run workers as its own user, not "
                    + u.name());
        }
        return new WorkerUser(u.name(), u.uid(), u.gid(), u.groups(), null);
    }

    @Override
    public String toString() {
        if (range != null) {
            return range + " (a uid of its own per worker, gid the same, no groups)";
        }
        return name + " (uid " + uid + ", gid " + gid + ")";
    }
}
