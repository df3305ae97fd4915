package kraken.lua.module;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import jnr.constants.Constant;
import jnr.constants.platform.AddressFamily;
import jnr.constants.platform.Sock;
import jnr.constants.platform.SocketOption;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * kraken.AF, kraken.SOCK and kraken.SO: the platform's numbers from jnr-constants, by name
 * without prefix. Reading them costs a fresh JVM about 25 ms (notes/kraken-lib.md), and every
 * connection in "process" isolation starts a JVM, so each table fills itself on first use.
 */
final class PlatformConstants {
    private PlatformConstants() {}

    // Classes rather than lambdas: this runs at every worker's start, and a lambda's first use
    // bootstraps method handles.
    static LuaTable addressFamilies() {
        return new LazyTable(new Supplier<>() {
            @Override
            public Map<String, Integer> get() {
                return Names.AF;
            }
        });
    }

    static LuaTable socketTypes() {
        return new LazyTable(new Supplier<>() {
            @Override
            public Map<String, Integer> get() {
                return Names.SOCK;
            }
        });
    }

    static LuaTable socketOptions() {
        return new LazyTable(new Supplier<>() {
            @Override
            public Map<String, Integer> get() {
                return Names.SO;
            }
        });
    }

    /** Read once per JVM, on first use: every later Lua state copies the maps. */
    static final class Names {
        static final Map<String, Integer> AF = byName(AddressFamily.values(), "AF_");
        static final Map<String, Integer> SOCK = byName(Sock.values(), "SOCK_");
        static final Map<String, Integer> SO = byName(SocketOption.values(), "SO_");

        private static Map<String, Integer> byName(Enum<?>[] constants, String prefix) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (Enum<?> e : constants) {
                Constant c = (Constant) e;
                if (c.defined() && e.name().startsWith(prefix)) {
                    m.put(e.name().substring(prefix.length()), c.intValue());
                }
            }
            return Collections.unmodifiableMap(m);
        }
    }

    /**
     * A table that fills itself from a map on its first use, whatever the use: indexing, pairs(),
     * #, assignment, rawget, table.*. Every LuaTable method that reads or writes the contents
     * is overridden to fill first, so no Lua code can tell it from a table built eagerly.
     */
    static final class LazyTable extends LuaTable implements LazyContents {
        private Supplier<Map<String, Integer>> source;

        @Override
        public boolean filled() {
            return source == null;
        }

        LazyTable(Supplier<Map<String, Integer>> source) {
            this.source = source;
        }

        private void fill() {
            Supplier<Map<String, Integer>> s = source;
            if (s != null) {
                source = null;
                for (Map.Entry<String, Integer> e : s.get().entrySet()) {
                    super.rawset(valueOf(e.getKey()), valueOf(e.getValue()));
                }
            }
        }

        @Override public LuaValue get(int key) { fill(); return super.get(key); }
        @Override public LuaValue get(LuaValue key) { fill(); return super.get(key); }
        @Override public LuaValue rawget(int key) { fill(); return super.rawget(key); }
        @Override public LuaValue rawget(LuaValue key) { fill(); return super.rawget(key); }
        @Override public void set(int key, LuaValue value) { fill(); super.set(key, value); }
        @Override public void set(LuaValue key, LuaValue value) { fill(); super.set(key, value); }
        @Override public void rawset(int key, LuaValue value) { fill(); super.rawset(key, value); }
        @Override public void rawset(LuaValue key, LuaValue value) { fill(); super.rawset(key, value); }
        @Override public void hashset(LuaValue key, LuaValue value) { fill(); super.hashset(key, value); }
        @Override public LuaValue remove(int pos) { fill(); return super.remove(pos); }
        @Override public void insert(int pos, LuaValue value) { fill(); super.insert(pos, value); }
        @Override public LuaValue concat(LuaString sep, int i, int j) { fill(); return super.concat(sep, i, j); }
        @Override public int length() { fill(); return super.length(); }
        @Override public LuaValue len() { fill(); return super.len(); }
        @Override public int rawlen() { fill(); return super.rawlen(); }
        @Override public Varargs next(LuaValue key) { fill(); return super.next(key); }
        @Override public Varargs inext(LuaValue key) { fill(); return super.inext(key); }
        @Override public void sort(LuaValue comparator) { fill(); super.sort(comparator); }
        @Override public int keyCount() { fill(); return super.keyCount(); }
        @Override public LuaValue[] keys() { fill(); return super.keys(); }
        @Override public Varargs unpack() { fill(); return super.unpack(); }
        @Override public Varargs unpack(int i) { fill(); return super.unpack(i); }
        @Override public Varargs unpack(int i, int j) { fill(); return super.unpack(i, j); }
        @Override public void presize(int narray) { fill(); super.presize(narray); }
        @Override public void presize(int narray, int nhash) { fill(); super.presize(narray, nhash); }
        @Override protected int getArrayLength() { fill(); return super.getArrayLength(); }
        @Override protected int getHashLength() { fill(); return super.getHashLength(); }
        @Override protected LuaValue hashget(LuaValue key) { fill(); return super.hashget(key); }
    }
}
