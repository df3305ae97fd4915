package kraken.settings;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
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
    public static final List<String> KEYS = names();

    private static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Key k : Keys.ALL) {
            names.add(k.name());
        }
        return List.copyOf(names);
    }

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
        return GROUPS.contains(topLevelName);
    }

    // The view is built for every connection's state: the groups are known once, not searched for.
    private static final Set<String> GROUPS = groups();

    private static Set<String> groups() {
        Set<String> names = new LinkedHashSet<>();
        for (String k : KEYS) {
            if (k.indexOf('.') >= 0) {
                names.add(topOf(k));
            }
        }
        return Set.copyOf(names);
    }

    /**
     * One key's value as the configuration file writes it: mm.timeout is a number (the maximum)
     * or a fresh table {min, max}; user, limits.cpu and limits.files are nil when unset.
     */
    public static LuaValue read(Settings s, String key) {
        Key k = Keys.named(key);
        if (k == null) {
            throw new IllegalArgumentException("not a configuration key: " + key);
        }
        return k.read().apply(s);
    }

    /** One top-level name of the view: a key, or a group (fields) of dotted keys below it. */
    private record Top(String top, LuaString name, Key key, Field[] fields) {}

    private record Field(LuaString name, Key key) {}

    // The view is built for every connection's state: its layout (names as Lua strings, keys
    // found by name) is worked out once per JVM, in TOP_LEVEL's order as before.
    private static final Top[] LAYOUT = layout();

    private static Top[] layout() {
        List<Top> tops = new ArrayList<>();
        for (String top : TOP_LEVEL) {
            if (!isGroup(top)) {
                tops.add(new Top(top, LuaValue.valueOf(top), Keys.named(top), null));
                continue;
            }
            List<Field> fields = new ArrayList<>();
            for (String key : KEYS) {
                if (key.length() > top.length() && key.charAt(top.length()) == '.' && key.startsWith(top)) {
                    fields.add(new Field(LuaValue.valueOf(key.substring(top.length() + 1)), Keys.named(key)));
                }
            }
            tops.add(new Top(top, LuaValue.valueOf(top), null, fields.toArray(new Field[0])));
        }
        return tops.toArray(new Top[0]);
    }

    /** Makes the configuration readable, and not assignable, through the kraken table. */
    public static void install(LuaTable kraken, Settings settings) {
        LuaTable values = new LuaTable(0, LAYOUT.length);
        for (Top t : LAYOUT) {
            LuaValue v = t.fields() != null ? group(settings, t) : t.key().read().apply(settings);
            // Table-valued keys (kraken.status, a kraken.user range) are as read-only inside as a group is.
            values.rawset(t.name(), t.fields() == null && v.istable() ? readOnly(v, t.top()) : v);
            // A raw field would shadow the view, and assignments to it would no longer be refused.
            kraken.rawset(t.name(), LuaValue.NIL);
        }
        LuaTable mt = new LuaTable(0, 3);
        mt.rawset(LuaValue.INDEX, values);
        mt.rawset(LuaValue.NEWINDEX, new Guard(null));
        mt.rawset(LuaValue.METATABLE, LuaValue.FALSE);
        kraken.setmetatable(mt);
    }

    private static LuaTable group(Settings settings, Top t) {
        LuaTable fields = new LuaTable(0, t.fields().length);
        for (Field f : t.fields()) {
            LuaValue v = f.key().read().apply(settings);
            fields.rawset(f.name(), v.istable() ? readOnly(v, t.top()) : v);
        }
        return readOnly(fields, t.top());
    }

    // An empty table whose reads go to fields and whose writes raise the error for top.
    private static LuaTable readOnly(LuaValue fields, String top) {
        LuaTable proxy = new LuaTable();
        LuaTable mt = new LuaTable(0, 3);
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
