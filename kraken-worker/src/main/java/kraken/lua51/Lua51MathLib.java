package kraken.lua51;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * The math library's 5.1 functions: mod (5.1's old name of fmod), an exact fmod, log10, pow,
 * random/randomseed over a generator an image of the state can carry (Lua51Random); and every
 * function checks its numbers with 5.1's "bad argument #n to 'name' (number expected, got x)".
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
        for (String name : new String[] {"abs", "acos", "asin", "atan", "ceil", "cos", "cosh", "deg", "exp", "floor",
            "frexp", "log", "log10", "modf", "rad", "sin", "sinh", "sqrt", "tan", "tanh", "randomseed"}) {
            checked(math, name, 1);
        }
        for (String name : new String[] {"atan2", "fmod", "mod", "ldexp", "pow"}) {
            checked(math, name, 2);
        }
        checked(math, "max", 1);
        checked(math, "min", 1);
        return math;
    }

    static void checked(LuaValue math, String name, int numbers) {
        LuaValue f = math.get(name);
        if (f.isfunction()) {
            math.set(name, new numberArgs(f, name, numbers, name.equals("max") || name.equals("min")));
        }
    }

    /** luaL_checknumber on the first arguments (all of them for max and min), then the function. */
    static final class numberArgs extends org.luaj.vm2.lib.VarArgFunction {
        private final LuaValue f;
        private final String fname;
        private final int numbers;
        private final boolean all;

        numberArgs(LuaValue f, String fname, int numbers, boolean all) {
            this.f = f;
            this.fname = fname;
            this.numbers = numbers;
            this.all = all;
        }

        @Override
        public org.luaj.vm2.Varargs invoke(org.luaj.vm2.Varargs args) {
            int n = all ? Math.max(numbers, args.narg()) : numbers;
            for (int i = 1; i <= n; i++) {
                if (args.arg(i).tonumber().isnil()) {
                    throw Arguments.error(i, fname, "number expected, got " + Arguments.typeName(args, i));
                }
            }
            return f.invoke(args);
        }
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
