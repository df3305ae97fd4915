package kraken.settings;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.ThreeArgFunction;

/**
 * The configuration keys on the kraken table (docs/configuration.md): a script reads every one of them,
 * but an assignment to one, or to a field inside one, raises "kraken.mm can only be set in the
 * configuration file". The values live behind the table's metatable, never as raw fields, so
 * every assignment reaches __newindex; the kraken library's own functions stay raw fields.
 */
public final class SettingsView {
    private SettingsView() {}

    /** Every configuration key, dotted below the kraken table, in the order of docs/configuration.md. */
    public static final List<String> KEYS = List.of("mm.tries", "mm.timeout", "isolation", "workers.spare",
            "workers.max", "workers.connections", "workers.idle", "user", "users", "allow_root", "limits.time", "limits.memory",
            "limits.cpu", "limits.files", "limits.line", "limits.coroutines", "limits.per_source", "limits.refusal",
            "limits.processes", "limits.memory_total", "sandbox", "grace", "status", "log.connections", "proxy.from",
            "confine.network", "confine.files");

    /** The top-level names of the keys: a name with dotted keys below it (mm, workers, limits) is a table. */
    public static final Set<String> TOP_LEVEL = topLevel();

    private static Set<String> topLevel() {
        Set<String> names = new LinkedHashSet<>();
        for (String k : KEYS) {
            names.add(topOf(k));
        }
        return Set.copyOf(names);
    }

    /** "mm" for "mm.tries", "isolation" for "isolation". */
    public static String topOf(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot);
    }

    public static boolean isGroup(String topLevelName) {
        for (String k : KEYS) {
            if (k.startsWith(topLevelName + ".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * One key's value as the configuration file writes it: mm.timeout is a number (the maximum)
     * or a fresh table {min, max}; user, limits.cpu and limits.files are nil when unset.
     */
    public static LuaValue read(Settings s, String key) {
        switch (key) {
            case "mm.tries":
                return LuaValue.valueOf(s.mmTries);
            case "mm.timeout":
                return s.mmTimeoutRange
                        ? LuaValue.listOf(new LuaValue[] {LuaValue.valueOf(s.mmTimeoutMin), LuaValue.valueOf(s.mmTimeoutMax)})
                        : LuaValue.valueOf(s.mmTimeoutMax);
            case "isolation":
                return LuaValue.valueOf(s.isolation);
            case "workers.spare":
                return LuaValue.valueOf(s.workersSpare);
            case "workers.max":
                return LuaValue.valueOf(s.workersMax);
            case "workers.connections":
                return LuaValue.valueOf(s.workersConnections);
            case "workers.idle":
                return LuaValue.valueOf(s.workersIdle);
            case "user":
                if (s.userFrom != null) {
                    LuaTable range = new LuaTable();
                    range.rawset("from", LuaValue.valueOf(Integer.toUnsignedLong(s.userFrom)));
                    range.rawset("to", LuaValue.valueOf(Integer.toUnsignedLong(s.userTo)));
                    return range;
                }
                return s.user == null ? LuaValue.NIL : userValue(s.user);
            case "users":
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
                    names[i] = userValue(s.users.get(i));
                }
                return LuaValue.listOf(names);
            case "allow_root":
                return LuaValue.valueOf(s.allowRoot);
            case "limits.time":
                return LuaValue.valueOf(s.limitTime);
            case "limits.memory":
                return LuaValue.valueOf(s.limitMemory);
            case "limits.cpu":
                return s.limitCpu == null ? LuaValue.NIL : LuaValue.valueOf(s.limitCpu.doubleValue());
            case "limits.files":
                return s.limitFiles == null ? LuaValue.NIL : LuaValue.valueOf(s.limitFiles.doubleValue());
            case "limits.line":
                return LuaValue.valueOf(s.limitLine);
            case "limits.coroutines":
                return LuaValue.valueOf(s.limitCoroutines);
            case "limits.per_source":
                return s.limitPerSource == null ? LuaValue.NIL : LuaValue.valueOf(s.limitPerSource);
            case "limits.refusal":
                return s.limitRefusal == null ? LuaValue.NIL
                        : LuaValue.valueOf(s.limitRefusal.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            case "limits.processes":
                return s.limitProcesses == null ? LuaValue.NIL : LuaValue.valueOf(s.limitProcesses.doubleValue());
            case "limits.memory_total":
                return LuaValue.valueOf(s.limitMemoryTotal);
            case "sandbox":
                return LuaValue.valueOf(s.sandbox);
            case "grace":
                return LuaValue.valueOf(s.grace);
            case "status":
                return statusValue(s);
            case "log.connections":
                return LuaValue.valueOf(s.logConnections);
            case "proxy.from":
                if (s.proxyFrom.isEmpty()) {
                    return LuaValue.NIL;
                }
                LuaValue[] from = new LuaValue[s.proxyFrom.size()];
                for (int i = 0; i < from.length; i++) {
                    from[i] = LuaValue.valueOf(s.proxyFrom.get(i));
                }
                return LuaValue.listOf(from);
            case "confine.network":
                return LuaValue.valueOf(s.confineNetwork);
            case "confine.files":
                return LuaValue.valueOf(s.confineFiles);
            default:
                throw new IllegalArgumentException("not a configuration key: " + key);
        }
    }

    // {host = h, port = p} or {path = p}, a fresh table; nil when unset.
    private static LuaValue statusValue(Settings s) {
        if (s.statusPath == null && s.statusHost == null) {
            return LuaValue.NIL;
        }
        LuaTable t = new LuaTable();
        if (s.statusPath != null) {
            t.rawset("path", LuaValue.valueOf(s.statusPath));
        } else {
            t.rawset("host", LuaValue.valueOf(s.statusHost));
            t.rawset("port", LuaValue.valueOf(s.statusPort));
        }
        return t;
    }

    // The configuration gave either a name or a uid; a uid reads back as the number it was.
    private static LuaValue userValue(String user) {
        return user.matches("[0-9]+") ? LuaValue.valueOf(Double.parseDouble(user)) : LuaValue.valueOf(user);
    }

    /** Makes the configuration readable, and not assignable, through the kraken table. */
    public static void install(LuaTable kraken, Settings settings) {
        LuaTable values = new LuaTable();
        for (String top : TOP_LEVEL) {
            LuaValue v = isGroup(top) ? group(settings, top) : read(settings, top);
            // Table-valued keys (kraken.status, a kraken.user range) are as read-only inside as a group is.
            values.rawset(top, !isGroup(top) && v.istable() ? readOnly(v, top) : v);
            // A raw field would shadow the view, and assignments to it would no longer be refused.
            kraken.rawset(top, LuaValue.NIL);
        }
        LuaTable mt = new LuaTable();
        mt.rawset(LuaValue.INDEX, values);
        mt.rawset(LuaValue.NEWINDEX, new Guard(null));
        mt.rawset(LuaValue.METATABLE, LuaValue.FALSE);
        kraken.setmetatable(mt);
    }

    private static LuaTable group(Settings settings, String top) {
        LuaTable fields = new LuaTable();
        for (String key : KEYS) {
            if (topOf(key).equals(top)) {
                LuaValue v = read(settings, key);
                fields.rawset(key.substring(top.length() + 1), v.istable() ? readOnly(v, top) : v);
            }
        }
        return readOnly(fields, top);
    }

    // An empty table whose reads go to fields and whose writes raise the error for top.
    private static LuaTable readOnly(LuaValue fields, String top) {
        LuaTable proxy = new LuaTable();
        LuaTable mt = new LuaTable();
        mt.rawset(LuaValue.INDEX, fields);
        mt.rawset(LuaValue.NEWINDEX, new Guard(top));
        mt.rawset(LuaValue.METATABLE, LuaValue.FALSE);
        proxy.setmetatable(mt);
        return proxy;
    }

    /** __newindex: refuses a configuration key (or anything inside one); anything else is stored raw. */
    private static final class Guard extends ThreeArgFunction {
        /** The configuration key this table belongs to; null for the kraken table itself. */
        private final String owner;

        Guard(String owner) {
            this.owner = owner;
        }

        @Override
        public LuaValue call(LuaValue table, LuaValue key, LuaValue value) {
            String top = owner;
            if (top == null && key.isstring() && TOP_LEVEL.contains(key.tojstring())) {
                top = key.tojstring();
            }
            if (top != null) {
                throw new LuaError("kraken." + top + " can only be set in the configuration file");
            }
            table.rawset(key, value);
            return NONE;
        }
    }
}
