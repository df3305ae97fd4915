package kraken.lua51;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** Argument checks that raise 5.1's "bad argument #n to 'name' (...)" (LuaJ's omit the number and name). */
final class Arguments {
    private Arguments() {}

    /** A 5.1 argument error: "bad argument #n to 'name' (message)". */
    static LuaError error(int arg, String name, String message) {
        return new LuaError("bad argument #" + arg + " to '" + name + "' (" + message + ")");
    }

    static String typeName(Varargs args, int arg) {
        return arg > args.narg() ? "no value" : args.arg(arg).typename();
    }

    static LuaTable checkTable(Varargs args, int arg, String name) {
        LuaValue v = args.arg(arg);
        if (!v.istable()) {
            throw error(arg, name, "table expected, got " + typeName(args, arg));
        }
        return (LuaTable) v;
    }

    static LuaValue checkFunction(Varargs args, int arg, String name) {
        LuaValue v = args.arg(arg);
        if (!v.isfunction()) {
            throw error(arg, name, "function expected, got " + typeName(args, arg));
        }
        return v;
    }

    static LuaValue checkAny(Varargs args, int arg, String name) {
        if (arg > args.narg()) {
            throw error(arg, name, "value expected");
        }
        return args.arg(arg);
    }
}
