package kraken.lua51;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * debug.getinfo as 5.1 fills it, over LuaJ's (a 5.2 one): Java functions are "C" functions
 * ("[C]", lines -1), a chunk is "main", short_src is 5.1's chunk id, nups leaves out LuaJ's
 * _ENV upvalue (5.1 functions reach globals through their environment, not an upvalue),
 * activelines holds the lines that have code, and an unknown name is nil with namewhat "".
 * Installed only where the debug library is (outside the sandbox).
 */
final class Lua51Debug {
    private static final LuaString ENV = LuaValue.valueOf("_ENV");

    private Lua51Debug() {
    }

    static void install(LuaTable globals) {
        LuaValue debug = globals.get("debug");
        if (debug.istable()) {
            debug.set("getinfo", new getinfo(debug.get("getinfo")));
        }
    }

    static final class getinfo extends VarArgFunction {
        private final LuaValue standard;

        getinfo(LuaValue standard) {
            this.standard = standard;
        }

        @Override
        public Varargs invoke(Varargs args) {
            int a = args.arg1().isthread() ? 2 : 1;
            String what = args.optjstring(a + 1, "flnSu");
            Varargs r;
            if (args.arg(a).isfunction()) {
                // A function, not a stack level: nothing of a frame is asked for (LuaJ's lookup
                // of one can pick a stale frame and fail).
                LuaTable t = new LuaTable();
                t.rawset("func", args.arg(a));
                if (what.indexOf('l') >= 0) {
                    t.rawset("currentline", valueOf(-1));
                }
                if (what.indexOf('n') >= 0) {
                    t.rawset("name", "?");
                }
                if (what.indexOf('S') >= 0 && args.arg(a) instanceof LuaClosure c) {
                    t.rawset("linedefined", valueOf(c.p.linedefined));
                    t.rawset("lastlinedefined", valueOf(c.p.lastlinedefined));
                }
                r = t;
            } else {
                r = standard.invoke(args);
            }
            if (!(r.arg1() instanceof LuaTable info)) {
                return r;
            }
            LuaValue f = info.rawget("func");
            if (f.isnil() && args.arg(a).isfunction()) {
                f = args.arg(a);
            }
            if (what.indexOf('f') < 0) {
                info.rawset("func", NIL);
            }
            Prototype p = f instanceof LuaClosure c ? c.p : null;
            if (what.indexOf('S') >= 0) {
                if (p == null) {
                    info.rawset("what", "C");
                    info.rawset("source", "=[C]");
                    info.rawset("short_src", "[C]");
                    info.rawset("linedefined", valueOf(-1));
                    info.rawset("lastlinedefined", valueOf(-1));
                } else {
                    info.rawset("what", p.linedefined == 0 ? "main" : "Lua");
                    info.rawset("source", p.source == null ? valueOf("=?") : p.source);
                    info.rawset("short_src", ErrorMessages.chunkId(p.source));
                }
            }
            if (what.indexOf('l') >= 0 && p == null) {
                info.rawset("currentline", valueOf(-1));
            }
            if (what.indexOf('u') >= 0) {
                info.rawset("nups", valueOf(p == null ? 0 : upvalues(p)));
            }
            if (what.indexOf('n') >= 0 && info.rawget("name").toString().equals("?")) {
                info.rawset("name", NIL);
                info.rawset("namewhat", "");
            }
            if (what.indexOf('L') >= 0) {
                info.rawset("activelines", p == null ? NIL : activeLines(p));
            }
            return info;
        }

        private static int upvalues(Prototype p) {
            int n = 0;
            for (var u : p.upvalues) {
                if (!ENV.equals(u.name)) {
                    n++;
                }
            }
            return n;
        }

        /** 5.1's activelines: every line some instruction of the function is on. */
        private static LuaTable activeLines(Prototype p) {
            LuaTable lines = new LuaTable();
            if (p.lineinfo != null) {
                for (int line : p.lineinfo) {
                    lines.rawset(line, TRUE);
                }
            }
            return lines;
        }
    }
}
