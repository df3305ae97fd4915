package kraken.lua51;

import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** Strings as 5.1's C functions take them: a number is its "%.14g" text, strings are bytes. */
final class Lua51Strings {
    private Lua51Strings() {}

    /** The bytes of a string, or of a number's 5.1 text. */
    static byte[] bytes(LuaValue v) {
        if (v.type() == LuaValue.TNUMBER) {
            return CFormat.number(v.todouble()).getBytes(StandardCharsets.ISO_8859_1);
        }
        LuaString s = v.checkstring();
        byte[] b = new byte[s.m_length];
        System.arraycopy(s.m_bytes, s.m_offset, b, 0, b.length);
        return b;
    }

    /** luaL_checklstring: a string or a number (as its 5.1 text), else 5.1's argument error. */
    static byte[] check(Varargs args, int arg, String name) {
        LuaValue v = args.arg(arg);
        if (v.type() != LuaValue.TSTRING && v.type() != LuaValue.TNUMBER) {
            throw Arguments.error(arg, name, "string expected, got " + Arguments.typeName(args, arg));
        }
        return bytes(v);
    }

    /** luaL_optinteger: absent or nil gives the default; a number or numeric string is truncated. */
    static int optInt(Varargs args, int arg, String name, int def) {
        LuaValue v = args.arg(arg);
        if (v.isnil()) {
            return def;
        }
        Double n = v.type() == LuaValue.TNUMBER ? Double.valueOf(v.todouble())
                : v.type() == LuaValue.TSTRING ? Lua51Numbers.parse(StringFormat.bytes(v.checkstring())) : null;
        if (n == null) {
            throw Arguments.error(arg, name, "number expected, got " + Arguments.typeName(args, arg));
        }
        double d = n;
        return d >= Integer.MAX_VALUE ? Integer.MAX_VALUE : d <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) d;
    }

    static LuaString valueOf(byte[] b) {
        return LuaString.valueUsing(b);
    }
}
