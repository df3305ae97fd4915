package kraken.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * kraken.users (docs/configuration.md): the users the script may pass to kraken.registerUser. A
 * list of user names and uids, or a uid range {from = UID, to = UID}. Names need not exist yet (an
 * account may be created later); registerUser still refuses a name the system does not know.
 */
final class UsersKey {
    private UsersKey() {}

    static final int MAX_ENTRIES = 1000;
    static final String REQUIREMENT = "a list of user names and uids, like {\"www-data\", 1001}, or a uid range"
            + " {from = UID, to = UID} with 0 <= from <= to <= 4294967294";

    static boolean accepts(LuaValue v) {
        if (!v.istable()) {
            return false;
        }
        int count = 0;
        for (LuaValue k = v.next(LuaValue.NIL).arg1(); !k.isnil(); k = v.next(k).arg1()) {
            count++;
        }
        if (!v.rawget("from").isnil() || !v.rawget("to").isnil()) {
            LuaValue from = v.rawget("from");
            LuaValue to = v.rawget("to");
            return count == 2 && Rules.integer(0, 0xFFFF_FFFEL).test(from) && Rules.integer(0, 0xFFFF_FFFEL).test(to)
                    && from.todouble() <= to.todouble();
        }
        int n = v.rawlen();
        if (count != n || n > MAX_ENTRIES) {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            LuaValue e = v.rawget(i);
            boolean name = e.type() == LuaValue.TSTRING && e.tojstring().matches("[A-Za-z0-9_.][A-Za-z0-9_.$-]{0,63}");
            if (!name && !Rules.integer(0, 0xFFFF_FFFEL).test(e)) {
                return false;
            }
        }
        return true;
    }

    /** A fresh {from, to} table, or the list as the configuration wrote it; nil when unset (any user). */
    static LuaValue read(Settings s) {
        if (s.usersFrom != null) {
            LuaTable range = new LuaTable();
            range.rawset("from", LuaValue.valueOf(Integer.toUnsignedLong(s.usersFrom)));
            range.rawset("to", LuaValue.valueOf(Integer.toUnsignedLong(s.usersTo)));
            return range;
        }
        if (s.users == null) {
            return LuaValue.NIL;
        }
        LuaValue[] names = new LuaValue[s.users.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = Keys.userValue(s.users.get(i));
        }
        return LuaValue.listOf(names);
    }

    static void encode(Settings s, Map<String, String> m) {
        if (s.users != null) {
            m.put("users", String.join(" ", s.users));
        }
        if (s.usersFrom != null) {
            m.put("users.from", Integer.toUnsignedString(s.usersFrom));
            m.put("users.to", Integer.toUnsignedString(s.usersTo));
        }
    }

    static void decode(Map<String, String> m, Settings s) {
        if (m.containsKey("users")) {
            String u = m.get("users");
            s.users = u.isEmpty() ? List.of() : List.of(u.split(" "));
        }
        if (m.containsKey("users.from")) {
            s.usersFrom = Integer.parseUnsignedInt(m.get("users.from"));
            s.usersTo = Integer.parseUnsignedInt(m.get("users.to"));
        }
    }

    static void apply(Settings s, LuaValue v) {
        if (!v.rawget("from").isnil()) {
            s.users = null;
            s.usersFrom = (int) v.rawget("from").tolong();
            s.usersTo = (int) v.rawget("to").tolong();
            return;
        }
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= v.rawlen(); i++) {
            LuaValue e = v.rawget(i);
            names.add(e.type() == LuaValue.TNUMBER ? Long.toString(e.tolong()) : e.tojstring());
        }
        s.usersFrom = null;
        s.usersTo = null;
        s.users = List.copyOf(names);
    }
}
