package kraken.lua.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import kraken.lua.module.LazyContents;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaBoolean;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaNil;
import org.luaj.vm2.LuaNumber;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The objects of a fresh Lua state (library functions and tables, io.stdout, the shared
 * metatables), each with a path that finds the same object in any other fresh state built from
 * the same settings: {@code string.format}, {@code io.stdout}, the metatable of
 * {@code io.stdout}. An image (kraken.image) refers to these by path instead of copying them,
 * so a copy uses the fresh state's own functions, bound to its own globals and registry.
 * Recorded by LuaRuntime before any script runs, with each table's contents then, so that an
 * image need only carry the library tables a script changed.
 */
public final class Libraries {
    /** Roots of the paths: the globals, then the shared metatables in SharedMetatables' order. */
    public static final String[] ROOTS = {"_G", "string metatable", "number metatable", "boolean metatable",
        "nil metatable", "function metatable", "thread metatable"};

    /** A segment that stands for "the metatable of" rather than a key. */
    public static final LuaValue METATABLE = LuaValue.NIL;

    /** Where a library object is: a root and keys from it (METATABLE for a metatable). */
    public record Path(int root, LuaValue[] keys) {
        Path child(LuaValue key) {
            LuaValue[] k = java.util.Arrays.copyOf(keys, keys.length + 1);
            k[keys.length] = key;
            return new Path(root, k);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(root == 0 ? "" : "(" + ROOTS[root] + ")");
            for (LuaValue k : keys) {
                if (k == METATABLE) {
                    b.insert(0, "metatable of ");
                } else if (k.isstring() && !k.isnumber()) {
                    b.append(b.length() == 0 ? "" : ".").append(k.tojstring());
                } else {
                    b.append('[').append(k.tojstring()).append(']');
                }
            }
            return b.length() == 0 ? "_G" : b.toString();
        }
    }

    private final Map<LuaValue, Path> paths = new IdentityHashMap<>();
    /** The same objects in the order they were found, so that every walk over them is repeatable. */
    private final List<LuaValue> found = new ArrayList<>();
    /** Each library table's contents when the state was fresh: keys and values, alternating. */
    private final Map<LuaTable, LuaValue[]> contents = new IdentityHashMap<>();
    private final Map<LuaTable, LuaValue> metatables = new IdentityHashMap<>();
    /** Lazy library tables (LazyContents) still unfilled when the state was fresh: contents unknown. */
    private final java.util.Set<LuaTable> unfilled = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    private Globals globals;

    private Libraries() {}

    /** Indexes g, a state nothing has run in yet, and the shared metatables as they are now. */
    public static Libraries index(Globals g) {
        Libraries lib = new Libraries();
        lib.globals = g;
        ArrayDeque<LuaValue> queue = new ArrayDeque<>();
        LuaValue[] roots = roots(g);
        for (int r = 0; r < roots.length; r++) {
            lib.visit(roots[r], new Path(r, new LuaValue[0]), queue);
        }
        while (!queue.isEmpty()) {
            LuaValue v = queue.poll();
            Path at = lib.paths.get(v);
            if (v instanceof LuaTable t && t instanceof LazyContents l && !l.filled()) {
                // Not read here: reading would fill it (and load what it is made from) in every run.
                lib.unfilled.add(t);
                lib.metatables.put(t, t.getmetatable());
            } else if (v instanceof LuaTable t) {
                List<LuaValue> kv = new ArrayList<>();
                LuaValue k = LuaValue.NIL;
                while (true) {
                    Varargs n = t.next(k);
                    if ((k = n.arg1()).isnil()) {
                        break;
                    }
                    kv.add(k);
                    kv.add(n.arg(2));
                    if (k.type() == LuaValue.TSTRING || k.type() == LuaValue.TNUMBER) {
                        lib.visit(n.arg(2), at.child(k), queue);
                    }
                }
                lib.contents.put(t, kv.toArray(new LuaValue[0]));
                lib.metatables.put(t, t.getmetatable());
            }
            LuaValue mt = v.getmetatable();
            if (mt != null) {
                lib.visit(mt, at.child(METATABLE), queue);
            }
        }
        return lib;
    }

    private void visit(LuaValue v, Path at, ArrayDeque<LuaValue> queue) {
        if (v == null || !isObject(v) || paths.containsKey(v)) {
            return;
        }
        paths.put(v, at);
        found.add(v);
        queue.add(v);
    }

    /** Whether v is an object with an identity (a table, function, userdata or coroutine). */
    public static boolean isObject(LuaValue v) {
        int t = v.type();
        return t == LuaValue.TTABLE || t == LuaValue.TFUNCTION || t == LuaValue.TUSERDATA
                || t == LuaValue.TTHREAD || t == LuaValue.TLIGHTUSERDATA;
    }

    /** The roots in the order of ROOTS, for this state (the shared metatables are the JVM's now). */
    public static LuaValue[] roots(Globals g) {
        return new LuaValue[] {g, LuaString.s_metatable, LuaNumber.s_metatable, LuaBoolean.s_metatable,
            LuaNil.s_metatable, LuaFunction.s_metatable, LuaThread.s_metatable};
    }

    /**
     * io.stdin, io.stdout and io.stderr, with their paths. LuaJ makes them on first use, through
     * the io table's __index (so not before the script's run: the command sets the state's
     * standard input after creating it), and they are then the same objects until the script
     * changes io.input() or io.output(). Empty when the state has no io library.
     */
    public Map<LuaValue, Path> standardFiles() {
        Map<LuaValue, Path> files = new IdentityHashMap<>();
        LuaValue io = freshField(globals, "io");
        // Only through the io library's own __index: a metatable the script put there would run
        // its code here.
        if (io instanceof LuaTable t && t.getmetatable() == metatables.get(t)) {
            for (String name : new String[] {"stdin", "stdout", "stderr"}) {
                LuaValue f = io.get(name);
                if (f.type() == LuaValue.TUSERDATA) {
                    files.put(f, paths.get(io).child(LuaValue.valueOf(name)));
                }
            }
        }
        return files;
    }

    /** What library table t held at key when the state was fresh; NIL when nothing. */
    private LuaValue freshField(LuaTable t, String key) {
        LuaValue[] kv = contents.get(t);
        for (int i = 0; kv != null && i < kv.length; i += 2) {
            if (kv[i].type() == LuaValue.TSTRING && kv[i].tojstring().equals(key)) {
                return kv[i + 1];
            }
        }
        return LuaValue.NIL;
    }

    /** Every object of the fresh state, in the order found. */
    public List<LuaValue> objects() {
        return java.util.Collections.unmodifiableList(found);
    }

    /** The path of v in the fresh state, or null when v was not part of it. */
    public Path pathOf(LuaValue v) {
        return paths.get(v);
    }

    /**
     * Whether library table t holds exactly what it held fresh (same keys, the same objects,
     * equal strings and numbers) and has the same metatable: then a copy need not refill it.
     */
    public boolean unchanged(LuaTable t) {
        if (unfilled.contains(t)) {
            // Still unfilled, it holds what it held fresh; filled since, a copy gets its contents.
            return t instanceof LazyContents l && !l.filled() && t.getmetatable() == metatables.get(t);
        }
        LuaValue[] kv = contents.get(t);
        if (kv == null || t.getmetatable() != metatables.get(t)) {
            return false;
        }
        for (int i = 0; i < kv.length; i += 2) {
            LuaValue now = t.rawget(kv[i]);
            if (now != kv[i + 1] && !(now.type() == kv[i + 1].type() && !isObject(now) && now.raweq(kv[i + 1]))) {
                return false;
            }
        }
        int count = 0;
        LuaValue k = LuaValue.NIL;
        while (!(k = t.next(k).arg1()).isnil()) {
            count++;
        }
        return count * 2 == kv.length;
    }

    /** Finds path in a fresh state whose roots are given; null when it leads nowhere. */
    public static LuaValue resolve(Path path, LuaValue[] roots) {
        LuaValue v = roots[path.root()];
        for (LuaValue k : path.keys()) {
            if (v == null || v.isnil()) {
                return null;
            }
            // get, not rawget: io.stdout and its kin come from the io table's __index.
            v = k == METATABLE ? v.getmetatable() : v.istable() ? v.get(k) : null;
        }
        return v == null || v.isnil() ? null : v;
    }
}
