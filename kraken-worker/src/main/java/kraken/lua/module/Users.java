package kraken.lua.module;

import kraken.posix.Privileges;
import org.luaj.vm2.LuaValue;

/** Which user kraken.registerUser may name, and the name it registers. */
final class Users {
    private Users() {}

    /** The password database, as registerUser reads it; tests give their own. */
    interface Lookup {
        Privileges.User byName(String name);

        Privileges.User byUid(int uid);
    }

    static final Lookup SYSTEM = new Lookup() {
        @Override
        public Privileges.User byName(String name) {
            return Privileges.getpwnam(name);
        }

        @Override
        public Privileges.User byUid(int uid) {
            return Privileges.getpwuid(uid);
        }
    };

    /**
     * The user name to register for who (a uid number or a user name): the name from the
     * password database, or the uid in decimal when it has no entry. A name that is not in the
     * database but is all digits is a uid, as chown(1) reads it.
     *
     * @param masterUid the effective uid of this process: unless it is root, only itself may be named
     * @throws IllegalArgumentException with the reason when that user is not allowed or does not exist
     */
    static String choose(LuaValue who, int masterUid, boolean allowRoot, Lookup lookup) {
        return choose(who, masterUid, allowRoot, lookup, null);
    }

    /** As above; a user that allowed (kraken.users) refuses is not allowed by the configuration. */
    static String choose(LuaValue who, int masterUid, boolean allowRoot, Lookup lookup, kraken.settings.Settings allowed) {
        long uid;
        Privileges.User user;
        if (who.type() == LuaValue.TNUMBER) {
            uid = uidOf(who.todouble(), who.tojstring());
            user = lookup.byUid((int) uid);
        } else {
            String name = who.tojstring();
            user = lookup.byName(name);
            if (user != null) {
                uid = Integer.toUnsignedLong(user.uid());
            } else if (!name.isEmpty() && name.chars().allMatch(Character::isDigit) && name.length() <= 10) {
                uid = uidOf(Double.parseDouble(name), name);
                user = lookup.byUid((int) uid);
            } else {
                throw new IllegalArgumentException("no such user: " + name);
            }
        }
        String name = user != null ? user.name() : Long.toString(uid);
        if (allowed != null && !allowed.userAllowed(name, uid)) {
            throw new IllegalArgumentException("user " + name + " is not allowed by the configuration");
        }
        if (uid == 0 && !allowRoot) {
            throw new IllegalArgumentException(
                    "refusing to run the application as root (the configuration can set kraken.allow_root = true)");
        }
        if (masterUid != 0 && uid != Integer.toUnsignedLong(masterUid)) {
            throw new IllegalArgumentException("cannot run the application as " + name + ": kraken runs as uid "
                    + Integer.toUnsignedString(masterUid) + ", and only root can switch to another user");
        }
        return name;
    }

    // uid_t is 32 bits and (uid_t) -1 means "no change" to setresuid: it is nobody's uid.
    private static long uidOf(double d, String text) {
        if (!(d >= 0 && d < 4294967295.0 && d == Math.floor(d))) {
            throw new IllegalArgumentException("invalid uid " + text);
        }
        return (long) d;
    }
}
