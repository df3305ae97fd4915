package kraken.lua51;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/** The table library's 5.1 functions: getn, maxn, foreach, foreachi, and concat with 5.1's number text. */
final class Lua51TableLib extends TwoArgFunction {
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaValue table = env.get("table");
        table.set("getn", new getn());
        table.set("maxn", new maxn());
        table.set("foreach", new foreach());
        table.set("foreachi", new foreachi());
        table.set("concat", new concat());
        return table;
    }

    static final class getn extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return valueOf(Lua51Length.of(Arguments.checkTable(args, 1, "getn")));
        }
    }

    static final class maxn extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = Arguments.checkTable(args, 1, "maxn");
            double max = 0;
            for (Varargs e = t.next(NIL); !e.isnil(1); e = t.next(e.arg1())) {
                if (e.arg1().type() == TNUMBER) {
                    max = Math.max(max, e.arg1().todouble());
                }
            }
            return valueOf(max);
        }
    }

    static final class foreach extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = Arguments.checkTable(args, 1, "foreach");
            LuaValue f = Arguments.checkFunction(args, 2, "foreach");
            for (Varargs e = t.next(NIL); !e.isnil(1); e = t.next(e.arg1())) {
                LuaValue r = f.call(e.arg1(), e.arg(2));
                if (!r.isnil()) {
                    return r;
                }
            }
            return NONE;
        }
    }

    static final class foreachi extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = Arguments.checkTable(args, 1, "foreachi");
            LuaValue f = Arguments.checkFunction(args, 2, "foreachi");
            for (int i = 1, n = Lua51Length.of(t); i <= n; i++) {
                LuaValue r = f.call(valueOf(i), t.rawget(i));
                if (!r.isnil()) {
                    return r;
                }
            }
            return NONE;
        }
    }

    /** table.concat as 5.1's: numbers as "%.14g", any other non-string an error naming its index. */
    static final class concat extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = Arguments.checkTable(args, 1, "concat");
            LuaString sep = args.isnil(2) ? EMPTYSTRING : args.checkstring(2);
            int i = args.isnil(3) ? 1 : args.checkint(3);
            int j = args.isnil(4) ? Lua51Length.of(t) : args.checkint(4);
            StringBuilder sb = new StringBuilder();
            String separator = StringFormat.bytes(sep);
            for (int k = i; k <= j; k++) {
                LuaValue v = t.rawget(k);
                if (v.type() == TNUMBER) {
                    sb.append(CFormat.number(v.todouble()));
                } else if (v.type() == TSTRING) {
                    sb.append(StringFormat.bytes(v.checkstring()));
                } else {
                    throw new LuaError("invalid value (" + v.typename() + ") at index " + k + " in table for 'concat'");
                }
                if (k < j) {
                    sb.append(separator);
                }
            }
            return valueOf(sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }

}
