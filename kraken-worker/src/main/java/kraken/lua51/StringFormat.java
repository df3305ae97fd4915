package kraken.lua51;

import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * string.format as Lua 5.1 does it (lstrlib.c str_format): LuaJ 3.0.1 ignores the precision of
 * %f and the width of %s, and prints numbers with Java's text. Strings are bytes: each byte is
 * one char of ISO-8859-1 while formatting.
 */
final class StringFormat extends VarArgFunction {
    private static final String FLAGS = "-+ #0";

    @Override
    public Varargs invoke(Varargs args) {
        String fmt = bytes(args.checkstring(1));
        StringBuilder out = new StringBuilder(fmt.length() + 16);
        int arg = 1;
        for (int i = 0; i < fmt.length(); ) {
            char c = fmt.charAt(i++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i < fmt.length() && fmt.charAt(i) == '%') {
                out.append('%');
                i++;
                continue;
            }
            int start = i;
            while (i < fmt.length() && FLAGS.indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            if (i - start >= FLAGS.length()) {
                throw new LuaError("invalid format (repeated flags)");
            }
            String flags = fmt.substring(start, i);
            int width = 0;
            int digits = 0;
            for (; i < fmt.length() && Character.isDigit(fmt.charAt(i)); i++, digits++) {
                width = width * 10 + fmt.charAt(i) - '0';
            }
            int precision = -1;
            if (i < fmt.length() && fmt.charAt(i) == '.') {
                i++;
                precision = 0;
                int pdigits = 0;
                for (; i < fmt.length() && Character.isDigit(fmt.charAt(i)); i++, pdigits++) {
                    precision = precision * 10 + fmt.charAt(i) - '0';
                }
                digits = Math.max(digits, pdigits);
            }
            if (digits > 2) {
                throw new LuaError("invalid format (width or precision too long)");
            }
            char conv = i < fmt.length() ? fmt.charAt(i++) : '\0';
            // 5.1 takes the argument before it looks at the conversion.
            arg++;
            if (arg > args.narg()) {
                throw argError(arg, "no value");
            }
            if ("cdiouxXeEfgGqs".indexOf(conv) < 0 || conv == '\0') {
                throw new LuaError("invalid option '%" + conv + "' to 'format'");
            }
            LuaValue v = args.arg(arg);
            switch (conv) {
                case 'c' -> out.append(CFormat.pad("", String.valueOf((char) ((int) (long) number(v, arg) & 0xff)), flags, width, false));
                case 'd', 'i' -> out.append(integer((long) number(v, arg), flags, width, precision));
                case 'o', 'u', 'x', 'X' -> out.append(unsigned((long) number(v, arg), conv, flags, width, precision));
                case 'e', 'E', 'f', 'g', 'G' -> out.append(CFormat.format(number(v, arg), flags, width, precision, conv));
                case 'q' -> quote(out, string(v, arg));
                default -> {
                    String s = string(v, arg);
                    if (precision >= 0 && s.length() > precision) {
                        s = s.substring(0, precision);
                    }
                    out.append(CFormat.pad("", s, flags, width, false));
                }
            }
        }
        return LuaString.valueOf(out.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static String bytes(LuaString s) {
        return new String(s.m_bytes, s.m_offset, s.m_length, StandardCharsets.ISO_8859_1);
    }

    private static double number(LuaValue v, int arg) {
        LuaValue n = v.tonumber();
        if (n.isnil()) {
            throw argError(arg, "number expected, got " + v.typename());
        }
        return n.todouble();
    }

    private static String string(LuaValue v, int arg) {
        if (v.type() == TNUMBER) {
            return CFormat.number(v.todouble());
        }
        if (v.type() != TSTRING) {
            throw argError(arg, "string expected, got " + v.typename());
        }
        return bytes(v.checkstring());
    }

    static LuaError argError(int arg, String message) {
        return new LuaError("bad argument #" + arg + " to 'format' (" + message + ")");
    }

    private static String integer(long n, String flags, int width, int precision) {
        String digits = n == Long.MIN_VALUE ? "9223372036854775808" : Long.toString(Math.abs(n));
        if (precision >= 0) {
            digits = precision == 0 && n == 0 ? "" : zeros(digits, precision);
            flags = flags.replace("0", "");
        }
        String sign = n < 0 ? "-" : flags.indexOf('+') >= 0 ? "+" : flags.indexOf(' ') >= 0 ? " " : "";
        return CFormat.pad(sign, digits, flags, width, true);
    }

    private static String unsigned(long n, char conv, String flags, int width, int precision) {
        String digits = switch (conv) {
            case 'o' -> Long.toOctalString(n);
            case 'u' -> Long.toUnsignedString(n);
            case 'x' -> Long.toHexString(n);
            default -> Long.toHexString(n).toUpperCase();
        };
        if (precision >= 0) {
            digits = precision == 0 && n == 0 ? "" : zeros(digits, precision);
            flags = flags.replace("0", "");
        }
        String prefix = "";
        if (flags.indexOf('#') >= 0) {
            if (conv == 'o' && !digits.startsWith("0")) {
                digits = "0" + digits;
            } else if ((conv == 'x' || conv == 'X') && n != 0) {
                prefix = conv == 'x' ? "0x" : "0X";
            }
        }
        return CFormat.pad(prefix, digits, flags, width, true);
    }

    private static String zeros(String digits, int precision) {
        return digits.length() >= precision ? digits : "0".repeat(precision - digits.length()) + digits;
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"', '\\', '\n' -> out.append('\\').append(c);
                case '\r' -> out.append("\\r");
                case '\0' -> out.append("\\000");
                default -> out.append(c);
            }
        }
        out.append('"');
    }
}
