package kraken.lua51;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * The math library's 5.1 functions: mod (5.1's old name of fmod), an exact fmod, log10, pow, and
 * random/randomseed over a generator an image of the state can carry (Lua51Random).
 */
final class Lua51MathLib extends TwoArgFunction {
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaValue math = env.get("math");
        math.set("mod", new fmod());
        math.set("fmod", new fmod());
        math.set("log10", new log10());
        if (math.get("pow").isnil()) {
            math.set("pow", new pow());
        }
        Lua51Random.install(math);
        return math;
    }


    /** C's fmod, which Java's % on doubles is; LuaJ computes it through floor and loses precision. */
    static final class fmod extends TwoArgFunction {
        @Override
        public LuaValue call(LuaValue x, LuaValue y) {
            return valueOf(x.checkdouble() % y.checkdouble());
        }
    }

    static final class log10 extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue x) {
            return valueOf(Math.log10(x.checkdouble()));
        }
    }

    static final class pow extends TwoArgFunction {
        @Override
        public LuaValue call(LuaValue x, LuaValue y) {
            return valueOf(Math.pow(x.checkdouble(), y.checkdouble()));
        }
    }

}
