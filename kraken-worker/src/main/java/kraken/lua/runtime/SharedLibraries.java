package kraken.lua.runtime;

import java.util.ArrayList;
import java.util.List;
import kraken.lua51.Lua51Lib;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.Bit32Lib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * The string, table, math and bit32 libraries (LuaJ's, completed by the 5.1 layer), made once
 * per JVM: a "state" worker builds a fresh state per connection (docs/processes.md, "Isolation"), and making
 * these functions again each time was a fifth of that (notes/connection-cost.md). Each state
 * still gets its own tables, filled with the same function objects; only math.random and
 * math.randomseed, which hold a generator, are made per state.
 *
 * Sharing a function is safe only because nothing Lua can do changes one: a Java function's
 * fields are all final (LibFunction's opcode and name aside, which only bind sets, before any
 * Lua runs), setfenv refuses a Java function (Lua51BaseLib) and getfenv answers the calling
 * state's globals, debug.setupvalue has no upvalue of a Java function to set, and
 * debug.setmetatable on a function sets the function metatable, which is per state
 * (SharedMetatables). SharedLibrariesTest checks the first point over every shared object.
 */
final class SharedLibraries {
    static final String[] NAMES = {"bit32", "table", "string", "math"};
    private static final LuaString RANDOM = LuaValue.valueOf("random");
    private static final LuaString RANDOMSEED = LuaValue.valueOf("randomseed");

    /** Built once, on first use: the holder idiom publishes it safely to every thread. */
    private static final class Holder {
        static final SharedLibraries INSTANCE = new SharedLibraries();
    }

    /** Per library, in NAMES' order: its keys and values, alternating, in the template's order. */
    private final LuaValue[][] contents = new LuaValue[NAMES.length][];

    private SharedLibraries() {
        // StringLib sets the JVM's string metatable when there is none: this scratch state's
        // must not become the next state's.
        SharedMetatables saved = SharedMetatables.save();
        try {
            Globals scratch = new Globals();
            scratch.load(new PackageLib());
            scratch.load(new Bit32Lib());
            scratch.load(new TableLib());
            scratch.load(new StringLib());
            scratch.load(new JseMathLib());
            Lua51Lib.completeStateless(scratch);
            for (int i = 0; i < NAMES.length; i++) {
                LuaTable t = scratch.get(NAMES[i]).checktable();
                List<LuaValue> kv = new ArrayList<>();
                LuaValue k = LuaValue.NIL;
                while (true) {
                    Varargs n = t.next(k);
                    if ((k = n.arg1()).isnil()) {
                        break;
                    }
                    if (!(i == 3 && (k.raweq(RANDOM) || k.raweq(RANDOMSEED)))) {
                        kv.add(k);
                        kv.add(n.arg(2));
                    }
                }
                contents[i] = kv.toArray(new LuaValue[0]);
            }
        } finally {
            saved.restore();
        }
    }

    static SharedLibraries get() {
        return Holder.INSTANCE;
    }

    /**
     * Gives g a fresh table for library NAMES[i] (as global and in package.loaded) holding the
     * shared functions; the string library also becomes the string metatable's __index when
     * there is none yet, as StringLib does.
     */
    void install(Globals g, String name) {
        int i = List.of(NAMES).indexOf(name);
        LuaValue[] kv = contents[i];
        LuaTable t = new LuaTable(0, kv.length / 2 + (i == 3 ? 2 : 0));
        for (int k = 0; k < kv.length; k += 2) {
            t.rawset(kv[k], kv[k + 1]);
        }
        if (i == 3) {
            Lua51Lib.installRandom(t);
        }
        g.set(name, t);
        g.get("package").get("loaded").set(name, t);
        if (i == 2 && LuaString.s_metatable == null) {
            LuaString.s_metatable = LuaValue.tableOf(new LuaValue[] {LuaValue.INDEX, t});
        }
    }

    /** The shared objects (for SharedLibrariesTest). */
    List<LuaValue> shared() {
        List<LuaValue> all = new ArrayList<>();
        for (LuaValue[] kv : contents) {
            for (int k = 1; k < kv.length; k += 2) {
                all.add(kv[k]);
            }
        }
        return all;
    }
}
