package kraken.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import kraken.settings.Describe;
import kraken.settings.Key;
import kraken.settings.Keys;
import kraken.settings.Settings;
import kraken.settings.SettingsView;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.ThreeArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * The kraken table as the configuration file sees it. It and its sub-tables (mm, workers,
 * limits) are empty proxies, so every assignment passes through here: a value is checked when
 * it is assigned, which gives the error the line of the assignment, and again at the end
 * ({@link #settle}), where the rules that join two keys are checked.
 */
final class ConfigTable {
    private final Map<String, LuaValue> values = new LinkedHashMap<>();
    /** "file:line" of each key's last assignment. */
    private final Map<String, String> assignedAt = new HashMap<>();
    private final Map<String, LuaTable> groups = new HashMap<>();
    private final LuaTable root;
    /** "file:line" of the assignment being made, or null. */
    private final Supplier<String> position;

    ConfigTable(Supplier<String> position) {
        this.position = position;
        for (String key : SettingsView.KEYS) {
            values.put(key, defaultOf(key));
        }
        root = proxy(null);
        for (String top : SettingsView.TOP_LEVEL) {
            if (SettingsView.isGroup(top)) {
                groups.put(top, proxy(top));
            }
        }
    }

    LuaTable root() {
        return root;
    }

    private static LuaValue defaultOf(String key) {
        return SettingsView.read(new Settings(), key);
    }

    private LuaTable proxy(String group) {
        LuaTable mt = new LuaTable();
        mt.rawset(LuaValue.INDEX, new TwoArgFunction() {
            @Override
            public LuaValue call(LuaValue table, LuaValue k) {
                String name = qualified(group, k);
                LuaTable g = group == null ? groups.get(name) : null;
                return g != null ? g : values.getOrDefault(name, NIL);
            }
        });
        mt.rawset(LuaValue.NEWINDEX, new ThreeArgFunction() {
            @Override
            public LuaValue call(LuaValue table, LuaValue k, LuaValue v) {
                assign(qualified(group, k), v);
                return NONE;
            }
        });
        mt.rawset(LuaValue.METATABLE, LuaValue.FALSE);
        LuaTable t = new LuaTable();
        t.setmetatable(mt);
        return t;
    }

    // "workers.spare" for key "spare" in group "workers"; "mm[1]" for a key that is not a name.
    private static String qualified(String group, LuaValue k) {
        String own = k.type() == LuaValue.TSTRING && k.tojstring().matches("[A-Za-z_][A-Za-z0-9_]*")
                ? k.tojstring() : "[" + Describe.value(k) + "]";
        if (group == null) {
            return own;
        }
        return own.startsWith("[") ? group + own : group + "." + own;
    }

    private void assign(String name, LuaValue v) {
        String where = position.get();
        if (groups.containsKey(name)) {
            assignGroup(name, v, where);
            return;
        }
        Key key = Keys.named(name);
        if (key == null) {
            throw new BadConfiguration(where, "kraken" + (name.startsWith("[") ? "" : ".") + name
                    + " is not a configuration key");
        }
        if (!v.isnil() && !key.accepts().test(v)) {
            throw new BadConfiguration(where, key.complaint(v));
        }
        values.put(name, v.isnil() ? defaultOf(name) : v);
        assignedAt.put(name, where);
    }

    // kraken.mm = {tries = 3}: the table replaces the group, so a key it leaves out is the default.
    private void assignGroup(String group, LuaValue v, String where) {
        if (!v.istable()) {
            throw new BadConfiguration(where, "kraken." + group + " must be a table (got " + Describe.value(v) + ")");
        }
        Map<String, LuaValue> given = new HashMap<>();
        LuaValue k = LuaValue.NIL;
        for (Varargs n = v.next(k); !(k = n.arg1()).isnil(); n = v.next(k)) {
            String name = qualified(group, k);
            Key key = Keys.named(name);
            if (key == null) {
                throw new BadConfiguration(where, "kraken." + name + " is not a configuration key");
            }
            if (!key.accepts().test(n.arg(2))) {
                throw new BadConfiguration(where, key.complaint(n.arg(2)));
            }
            given.put(name, n.arg(2));
        }
        for (String key : SettingsView.KEYS) {
            if (key.startsWith(group + ".")) {
                values.put(key, given.getOrDefault(key, defaultOf(key)));
                assignedAt.put(key, where);
            }
        }
    }

    /**
     * The settings the file made, once it has run: each value checked again (a table such as
     * mm.timeout may have changed since its assignment), then the rules that join two keys.
     */
    Settings settle() {
        rejectRawFields(root, null);
        for (String top : groups.keySet()) {
            rejectRawFields(groups.get(top), top);
        }
        Settings s = new Settings();
        for (Key key : Keys.ALL) {
            LuaValue v = values.get(key.name());
            if (v.isnil()) {
                continue;
            }
            if (!key.accepts().test(v)) {
                throw new BadConfiguration(assignedAt.get(key.name()), key.complaint(v));
            }
            key.apply().accept(s, v);
        }
        if (s.workersSpare > s.workersMax) {
            // Blame the key the file set: the other one is a default it may not know about.
            if (assignedAt.get("workers.spare") != null || assignedAt.get("workers.max") == null) {
                throw new BadConfiguration(assignedAt.get("workers.spare"), Keys.named("workers.spare")
                        .complaint(values.get("workers.spare")).replaceFirst("\\)$", "; kraken.workers.max is "
                                + s.workersMax + ")"));
            }
            throw new BadConfiguration(assignedAt.get("workers.max"), "kraken.workers.max must be at least"
                    + " kraken.workers.spare (got " + s.workersMax + "; kraken.workers.spare is " + s.workersSpare + ")");
        }
        if (Keys.bytes(s.limitMemoryTotal) <= Keys.bytes(s.limitMemory)) {
            // The heap is part of what memory_total caps: a worker could not even start.
            String blamed = assignedAt.get("limits.memory_total") != null || assignedAt.get("limits.memory") == null
                    ? "limits.memory_total" : "limits.memory";
            throw new BadConfiguration(assignedAt.get(blamed), "kraken.limits.memory_total must be larger than"
                    + " kraken.limits.memory, the heap it holds with the rest of the worker (got kraken.limits.memory_total "
                    + Describe.value(LuaValue.valueOf(s.limitMemoryTotal)) + ", kraken.limits.memory "
                    + Describe.value(LuaValue.valueOf(s.limitMemory)) + ")");
        }
        LuaValue user = values.get("user");
        if (!user.isnil() && !user.istable() && Keys.uidOf(user) == 0 && !s.allowRoot) {
            throw new BadConfiguration(assignedAt.get("user"), "kraken.user is root (uid 0): workers run as root only"
                    + " when kraken.allow_root = true (got " + Describe.value(user) + ")");
        }
        return s;
    }

    // rawset(kraken, "x", 1) skips the proxy; such a field is still no configuration key.
    private static void rejectRawFields(LuaTable t, String group) {
        LuaValue k = t.next(LuaValue.NIL).arg1();
        if (!k.isnil()) {
            String name = qualified(group, k);
            throw new BadConfiguration(null, "kraken" + (name.startsWith("[") ? "" : ".") + name
                    + " is not a configuration key");
        }
    }
}
