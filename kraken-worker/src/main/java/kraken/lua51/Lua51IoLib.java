package kraken.lua51;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.FileMethods;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/** The io library's 5.1 behaviour: io.write and file:write write numbers as 5.1 does and return true. */
final class Lua51IoLib extends TwoArgFunction {
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaValue io = env.get("io");
        if (io.istable()) {
            LuaTable fileMethods = FileMethods.of(io.get("write"));
            io.set("write", new numbersAsText(io.get("write")));
            if (fileMethods != null) {
                fileMethods.set("write", new numbersAsText(fileMethods.get("write")));
            }
        }
        return io;
    }


    /** io.write and file:write: numbers as 5.1's "%.14g" text rather than LuaJ's, true on success. */
    static final class numbersAsText extends VarArgFunction {
        private final LuaValue write;

        numbersAsText(LuaValue write) {
            this.write = write;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue[] v = new LuaValue[args.narg()];
            for (int i = 0; i < v.length; i++) {
                LuaValue a = args.arg(i + 1);
                v[i] = a.type() == TNUMBER ? valueOf(CFormat.number(a.todouble())) : a;
            }
            Varargs r = write.invoke(varargsOf(v));
            // 5.1's write returns true on success; 5.2's returns the file.
            return r.isnil(1) ? r : TRUE;
        }
    }
}
