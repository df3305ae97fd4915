package kraken.lua51;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The base library's 5.1 functions that LuaJ lacks or does as 5.2 does: function environments,
 * loadstring, unpack, protected calls and error with 5.1's values and positions, numbers as 5.1
 * writes and reads them, newproxy. collectgarbage and gcinfo are Lua51Collector's.
 */
final class Lua51BaseLib extends TwoArgFunction {
    private final Lua51State state;

    Lua51BaseLib(Lua51State state) {
        this.state = state;
    }

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        env.set("_VERSION", "Lua 5.1");
        env.set("loadstring", new loadstring());
        env.set("unpack", new unpack());
        env.set("getfenv", new getfenv());
        env.set("setfenv", new setfenv());
        env.set("newproxy", new newproxy());
        env.set("error", new error());
        env.set("pcall", new pcall());
        env.set("xpcall", new xpcall());
        env.set("tostring", new tostring());
        env.set("print", new print());
        env.set("tonumber", new tonumber());
        env.set("load", new Lua51Load(state));
        return env;
    }

    // ---- environments

    final class getfenv extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = state.functionOrLevel(args, "getfenv", true);
            return f == null ? state.globalEnv : state.envOf(f);
        }
    }

    final class setfenv extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable env = Arguments.checkTable(args, 2, "setfenv");
            LuaValue f = state.functionOrLevel(args, "setfenv", false);
            if (f == null) {
                state.globalEnv = env;
                return NONE;
            }
            if (!(f instanceof LuaClosure c)) {
                throw new LuaError("'setfenv' cannot change environment of given object");
            }
            state.setEnv(c, env);
            return c;
        }
    }

    /** loadstring(s [, chunkname]): the chunk name defaults to the string, as 5.1's. */
    final class loadstring extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            String chunkname = args.optjstring(2, s.tojstring());
            return new Lua51Load(state).load(s, chunkname, "bt", state.globalEnv);
        }
    }

    // ---- errors

    /** error(message [, level]): the position of the function at that level, as 5.1's luaL_where. */
    final class error extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue message = args.arg1();
            int level = args.optint(2, 1);
            if ((message.type() == TSTRING || message.type() == TNUMBER) && level > 0) {
                message = valueOf(state.where(level) + tostring.text(message));
            }
            throw new LuaError(message);
        }
    }

    /** What a failed protected call returns as its message. */
    static LuaValue messageOf(Throwable e) {
        if (e instanceof LuaError le) {
            LuaValue m = le.getMessageObject();
            return m != null ? m : NIL;
        }
        if (e instanceof StackOverflowError) {
            return valueOf("stack overflow");
        }
        String m = e.getMessage();
        return valueOf(m != null ? m : e.toString());
    }

    final class pcall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = Arguments.checkAny(args, 1, "pcall");
            int depth = state.tracker.depth();
            state.tracker.onCall(this);
            try {
                return varargsOf(TRUE, f.invoke(args.subargs(2)));
            } catch (LuaError | StackOverflowError e) {
                return varargsOf(FALSE, messageOf(e));
            } catch (RuntimeException e) {
                return varargsOf(FALSE, messageOf(e));
            } finally {
                state.tracker.unwindTo(depth);
            }
        }
    }

    /**
     * xpcall(f, handler) as in 5.1: f gets no arguments; the handler gets the error value and its
     * result is returned. The handler runs once the stack is unwound (a traceback made there shows
     * xpcall's caller, not the error's position).
     */
    final class xpcall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.arg1();
            LuaValue handler = Arguments.checkAny(args, 2, "xpcall");
            int depth = state.tracker.depth();
            state.tracker.onCall(this);
            try {
                return varargsOf(TRUE, f.invoke(NONE));
            } catch (LuaError | StackOverflowError e) {
                state.tracker.unwindTo(depth + 1);
                return varargsOf(FALSE, handle(handler, messageOf(e)));
            } catch (RuntimeException e) {
                state.tracker.unwindTo(depth + 1);
                return varargsOf(FALSE, handle(handler, messageOf(e)));
            } finally {
                state.tracker.unwindTo(depth);
            }
        }

        private LuaValue handle(LuaValue handler, LuaValue message) {
            try {
                return handler.call(message);
            } catch (LuaError | StackOverflowError e) {
                return valueOf("error in error handling");
            }
        }
    }

    // ---- base library

    final class unpack extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = Arguments.checkTable(args, 1, "unpack");
            int i = args.isnil(2) ? 1 : args.checkint(2);
            int e = args.isnil(3) ? Lua51Length.of(t) : args.checkint(3);
            if (i > e) {
                return NONE;
            }
            long n = (long) e - i + 1;
            if (n >= 8_000_000) {
                throw new LuaError("too many results to unpack");
            }
            LuaValue[] v = new LuaValue[(int) n];
            for (int k = 0; k < n; k++) {
                v[k] = t.rawget(i + k);
            }
            return varargsOf(v);
        }
    }

    static final class tostring extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue v = Arguments.checkAny(args, 1, "tostring");
            LuaValue h = v.metatag(TOSTRING);
            if (!h.isnil()) {
                return h.call(v);
            }
            return v.type() == TSTRING ? v : valueOf(text(v));
        }

        /** A value's 5.1 text without metamethods: numbers as "%.14g". */
        static String text(LuaValue v) {
            return switch (v.type()) {
                case TNUMBER -> CFormat.number(v.todouble());
                // LuaJ shows the Java object inside; 5.1 shows an address. Kraken's own userdata
                // (sockets) name themselves.
                case TUSERDATA -> v.getClass() != org.luaj.vm2.LuaUserdata.class ? v.tojstring()
                        : "userdata: 0x" + Integer.toHexString(System.identityHashCode(v.touserdata()));
                // 5.1 shows an address; LuaJ a name for library functions ("function: print") and
                // no "0x" for tables, which scripts matching "0x%x+" miss.
                case TTABLE, TFUNCTION, TTHREAD -> v.typename() + ": 0x" + String.format("%08x", System.identityHashCode(v));
                default -> v.tojstring();
            };
        }
    }

    /**
     * print as 5.1's luaB_print: each value through the global tostring, written as C's fputs
     * writes a string (up to its first NUL), the whole line in one write of bytes (LuaJ's print
     * wrote each piece apart and re-encoded the text as UTF-8).
     */
    final class print extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue tostring = state.globals.get("tostring");
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            for (int i = 1; i <= args.narg(); i++) {
                LuaValue s = tostring.call(args.arg(i));
                if (s.type() != TSTRING && s.type() != TNUMBER) {
                    throw new LuaError("'tostring' must return a string to 'print'");
                }
                if (i > 1) {
                    line.write('\t');
                }
                byte[] b = Lua51Strings.bytes(s);
                int n = 0;
                while (n < b.length && b[n] != 0) {
                    n++;
                }
                line.write(b, 0, n);
            }
            line.write('\n');
            byte[] bytes = line.toByteArray();
            state.globals.STDOUT.write(bytes, 0, bytes.length);
            return NONE;
        }
    }

    /** tonumber(e [, base]) as in 5.1 (lbaselib.c luaB_tonumber with strtod/strtoul). */
    static final class tonumber extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            int base = args.isnil(2) ? 10 : args.checkint(2);
            if (base == 10) {
                LuaValue v = Arguments.checkAny(args, 1, "tonumber");
                if (v.type() == TNUMBER) {
                    return v;
                }
                if (v.type() != TSTRING) {
                    return NIL;
                }
                Double d = Lua51Numbers.parse(StringFormat.bytes(v.checkstring()));
                return d == null ? NIL : valueOf(d);
            }
            if (!args.isstring(1)) {
                throw Arguments.error(1, "tonumber", "string expected, got " + Arguments.typeName(args, 1));
            }
            if (base < 2 || base > 36) {
                throw Arguments.error(2, "tonumber", "base out of range");
            }
            Double d = Lua51Numbers.parseInteger(StringFormat.bytes(args.checkstring(1)), base);
            return d == null ? NIL : valueOf(d);
        }
    }

    /** newproxy([true | proxy]): an empty userdata, with a new metatable or another proxy's. */
    static final class newproxy extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue a = args.arg1();
            LuaValue mt = null;
            if (a.toboolean() && a.type() == TBOOLEAN) {
                mt = new LuaTable();
            } else if (a.type() == TUSERDATA && a.touserdata() instanceof Proxy) {
                mt = a.getmetatable();
            } else if (a.toboolean()) {
                throw Arguments.error(1, "newproxy", "boolean or proxy expected");
            }
            return new LuaUserdata(new Proxy(), mt);
        }

        /** What marks a userdata as made by newproxy. */
        static final class Proxy {}
    }

    // ---- table
}
