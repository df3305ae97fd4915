package kraken.lua.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import kraken.lua.module.Registry;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.LibFunction;

/** The string, table, math and bit32 functions every state shares (SharedLibraries). */
@Tag("unit")
class SharedLibrariesTest {
    private static Globals fresh(boolean sandbox) {
        Settings s = new Settings();
        s.sandbox = sandbox;
        return LuaRuntime.create(s, new Registry(), r -> LuaValue.NONE, null);
    }

    /**
     * What makes sharing safe: no shared object has a field Lua could change, directly or through
     * what it refers to. Fails when a function with state (a generator, a table, a cache, an
     * array) is added to a shared library: make such a function per state.
     */
    @Test
    void noSharedObjectHoldsAnythingMutable() {
        List<String> mutable = new ArrayList<>();
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<LuaValue> shared = SharedLibraries.get().shared();
        assertTrue(shared.size() > 60, "shared: " + shared.size());
        for (LuaValue v : shared) {
            check(v, v.toString(), seen, mutable);
        }
        assertEquals(List.of(), mutable);
    }

    private static void check(Object o, String at, Map<Object, Boolean> seen, List<String> mutable) {
        if (o == null || o instanceof String || o instanceof LuaString || o instanceof Number || o instanceof Boolean
                || seen.put(o, true) != null) {
            return;
        }
        if (o.getClass().isArray() || o instanceof org.luaj.vm2.LuaTable || o instanceof java.util.Collection
                || o instanceof java.util.Map) {
            mutable.add(at + ": a " + o.getClass().getName());
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive() && Modifier.isFinal(f.getModifiers())) {
                    continue;
                }
                // Set by LibFunction.bind before any Lua runs, never after; no Lua reaches them.
                if (c == LibFunction.class && (f.getName().equals("opcode") || f.getName().equals("name"))) {
                    continue;
                }
                if (!Modifier.isFinal(f.getModifiers())) {
                    mutable.add(at + ": " + c.getName() + "." + f.getName() + " is not final");
                    continue;
                }
                try {
                    f.setAccessible(true);
                    check(f.get(o), at + "." + f.getName(), seen, mutable);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    mutable.add(at + ": " + c.getName() + "." + f.getName() + " unreadable: " + e);
                }
            }
        }
    }

    @Test
    void statesShareTheFunctionsButNotTheTablesNorTheGenerator() {
        for (boolean sandbox : new boolean[] {false, true}) {
            Globals a = fresh(sandbox);
            Globals b = fresh(sandbox);
            for (String lib : sandbox ? new String[] {"string", "table", "math"} : SharedLibraries.NAMES) {
                assertNotSame(a.get(lib), b.get(lib), lib);
                assertSame(a.get(lib), a.get("package").get("loaded").get(lib), lib);
            }
            assertSame(a.get("string").get("rep"), b.get("string").get("rep"));
            assertSame(a.get("math").get("floor"), b.get("math").get("floor"));
            assertNotSame(a.get("math").get("random"), b.get("math").get("random"));
            assertNotSame(a.get("math").get("randomseed"), b.get("math").get("randomseed"));
            assertEquals(sandbox, b.get("bit32").isnil());
        }
    }

    @Test
    void whatAStateDoesToItsLibrariesIsNotInTheNext() {
        Globals a = fresh(false);
        a.load("""
                string.rep = nil; rawset(table, "insert", nil); math.floor = nil; bit32.band = nil
                getmetatable("").__index = {len = function () return -1 end}
                math.randomseed(7)
                """, "a").call();
        Globals b = fresh(false);
        LuaValue r = b.load("""
                local t = {} table.insert(t, "x")
                return string.rep("ab", 2) .. t[1] .. math.floor(2.5) .. bit32.band(6, 3) .. ("abc"):len()
                    .. tostring(getmetatable("").__index == string)
                """, "b").call();
        assertEquals("ababx223true", r.tojstring());
    }
}
