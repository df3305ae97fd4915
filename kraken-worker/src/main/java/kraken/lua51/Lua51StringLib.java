package kraken.lua51;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/** The string library as 5.1 has it: gmatch (and its old name gfind), format, patterns that fail cleanly. */
final class Lua51StringLib extends TwoArgFunction {
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaValue string = env.get("string");
        for (String name : new String[] {"find", "match", "gmatch", "gsub"}) {
            string.set(name, new patternGuard(string.get(name)));
        }
        LuaValue gmatch = new gmatch(string.get("find"));
        string.set("gmatch", gmatch);
        string.set("gfind", gmatch);
        string.set("format", new StringFormat());
        return string;
    }


    /**
     * string.gmatch as 5.1's gmatch_aux, on top of string.find: LuaJ's own loops forever on a
     * pattern that matches the empty string. After an empty match the next search starts one
     * character further on.
     */
    static final class gmatch extends VarArgFunction {
        private final LuaValue find;

        gmatch(LuaValue find) {
            this.find = find;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            LuaString pattern = args.checkstring(2);
            return new VarArgFunction() {
                private int init = 1;

                @Override
                public Varargs invoke(Varargs unused) {
                    if (init > s.length() + 1) {
                        return NIL;
                    }
                    Varargs r = find.invoke(varargsOf(s, pattern, valueOf(init)));
                    if (r.isnil(1)) {
                        init = s.length() + 2;
                        return NIL;
                    }
                    int start = r.toint(1);
                    int end = r.toint(2);
                    init = end >= start ? end + 1 : start + 1;
                    return r.narg() > 2 ? r.subargs(3) : s.substring(start - 1, end);
                }
            };
        }
    }

    /** LuaJ's matcher reads past the pattern's end on a malformed pattern; 5.1 reports it. */
    static final class patternGuard extends VarArgFunction {
        private final LuaValue f;

        patternGuard(LuaValue f) {
            this.f = f;
        }

        @Override
        public Varargs invoke(Varargs args) {
            try {
                return f.invoke(args);
            } catch (IndexOutOfBoundsException e) {
                throw new LuaError("malformed pattern");
            }
        }
    }

}
