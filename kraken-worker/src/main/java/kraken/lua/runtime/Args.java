package kraken.lua.runtime;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Argument checks that raise Lua 5.1's "bad argument #n to 'name' (...)" errors. LuaJ's own
 * checkint/checkjstring say only "bad argument: number expected, got nil", without the
 * argument's position or the function's name. Conversions follow Lua 5.1: a numeric string
 * is a number, a number is a string.
 */
public final class Args {
    private Args() {}

    public static LuaError error(int n, String function, String message) {
        return new LuaError("bad argument #" + n + " to '" + function + "' (" + message + ")");
    }

    public static LuaError typeError(Varargs args, int n, String function, String expected) {
        return error(n, function, expected + " expected, got " + typeName(args, n));
    }

    /** The argument's Lua type, or "no value" when the caller passed fewer arguments. */
    public static String typeName(Varargs args, int n) {
        return n > args.narg() ? "no value" : args.arg(n).typename();
    }

    public static double checkNumber(Varargs args, int n, String function) {
        LuaValue v = args.arg(n);
        if (!v.isnumber()) {
            throw typeError(args, n, function, "number");
        }
        return v.todouble();
    }

    /** A number truncated toward zero, as lua_tointeger does. */
    public static int checkInt(Varargs args, int n, String function) {
        return (int) checkNumber(args, n, function);
    }

    public static int optInt(Varargs args, int n, String function, int fallback) {
        return args.arg(n).isnil() ? fallback : checkInt(args, n, function);
    }

    public static LuaString checkString(Varargs args, int n, String function) {
        LuaValue v = args.arg(n);
        if (!v.isstring()) {
            throw typeError(args, n, function, "string");
        }
        return v.checkstring();
    }

    public static LuaTable checkTable(Varargs args, int n, String function) {
        LuaValue v = args.arg(n);
        if (!v.istable()) {
            throw typeError(args, n, function, "table");
        }
        return (LuaTable) v;
    }

    public static boolean checkBoolean(Varargs args, int n, String function) {
        LuaValue v = args.arg(n);
        if (!v.isboolean()) {
            throw typeError(args, n, function, "boolean");
        }
        return v.toboolean();
    }
}
