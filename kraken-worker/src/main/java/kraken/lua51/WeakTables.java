package kraken.lua51;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.WeakTableMode;
import org.luaj.vm2.WeakTableNext;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * setmetatable with 5.1's weak tables. LuaJ makes only entries stored after a table became weak
 * weak: the entries it already held (`setmetatable({[1] = {}}, {__mode = "v"})`, the usual way
 * to write one) stay strong and are never collected, so a 5.1 loop waiting for them to go never
 * ends. Here a table that becomes weak has its entries stored again, which makes them weak.
 */
final class WeakTables {
    private static final LuaValue MODE = LuaValue.valueOf("__mode");

    private WeakTables() {
    }

    static void install(LuaTable globals) {
        globals.set("setmetatable", new setmetatable(globals.get("setmetatable")));
        LuaValue standardNext = globals.get("next");
        next next = new next();
        globals.set("next", next);
        globals.set("pairs", new pairs(globals.get("pairs"), standardNext, next));
    }

    /** next(t [, k]) with {@link WeakTableNext}, which ends on weak tables as 5.1's does. */
    static final class next extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue t = args.checktable(1);
            return WeakTableNext.next((LuaTable) t, args.arg(2));
        }
    }

    /** pairs(t): the standard one, iterating with the next above. */
    static final class pairs extends VarArgFunction {
        private final LuaValue standard;
        private final LuaValue standardNext;
        private final LuaValue next;

        pairs(LuaValue standard, LuaValue standardNext, LuaValue next) {
            this.standard = standard;
            this.standardNext = standardNext;
            this.next = next;
        }

        @Override
        public Varargs invoke(Varargs args) {
            Varargs r = standard.invoke(args);
            return r.arg1() == standardNext ? varargsOf(next, r.arg(2), r.arg(3)) : r;
        }
    }

    /** True when mt makes a table that uses it weak in keys or values. */
    static boolean isWeakMode(LuaValue mt) {
        if (!mt.istable()) {
            return false;
        }
        LuaValue mode = mt.rawget(MODE);
        if (!mode.isstring()) {
            return false;
        }
        String m = mode.tojstring();
        return m.indexOf('k') >= 0 || m.indexOf('v') >= 0;
    }

    /** Stores every entry of t again, through the table's (now weak) mode. */
    static void restoreEntries(LuaTable t) {
        Varargs[] entries = new Varargs[t.length() + 8];
        int n = 0;
        for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
            if (n == entries.length) {
                entries = java.util.Arrays.copyOf(entries, n * 2);
            }
            entries[n++] = LuaValue.varargsOf(e.arg1(), e.arg(2));
        }
        for (int i = 0; i < n; i++) {
            t.rawset(entries[i].arg1(), LuaValue.NIL);
        }
        for (int i = 0; i < n; i++) {
            t.rawset(entries[i].arg1(), entries[i].arg(2));
        }
    }

    /** The standard setmetatable, then the entries made weak when the new metatable says so. */
    static final class setmetatable extends VarArgFunction {
        private final LuaValue standard;

        setmetatable(LuaValue standard) {
            this.standard = standard;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue t = args.arg1();
            LuaValue before = t.istable() ? t.getmetatable() : null;
            Varargs r = standard.invoke(args);
            LuaValue mt = args.arg(2);
            if (t instanceof LuaTable table && isWeakMode(mt)) {
                WeakTableMode.install(table);
                if (!isWeakMode(before == null ? NIL : before)) {
                    restoreEntries(table);
                }
            }
            return r;
        }
    }
}
