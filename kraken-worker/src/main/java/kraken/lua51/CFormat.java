package kraken.lua51;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * C's printf conversions for numbers, as Lua 5.1 gets them from the C library: Java's Formatter
 * rounds from the shortest decimal form of a double (0.15 -> "0.2") where C rounds the exact
 * binary value half-even ("0.1"), and its %g keeps trailing zeros. Lua 5.1 prints every number
 * with "%.14g".
 */
final class CFormat {
    private CFormat() {}

    /** The text Lua 5.1 gives a number: tostring, print, string.format("%s"), io.write. */
    static String number(double v) {
        if (v == (long) v && Math.abs(v) < 1e14) {
            return v == 0 && 1 / v < 0 ? "-0" : Long.toString((long) v);
        }
        return format(v, "", 0, 14, 'g');
    }

    /**
     * One %e, %E, %f, %g or %G conversion.
     *
     * @param flags any of "-+ #0"
     * @param precision digits, or -1 for the default 6
     */
    static String format(double v, String flags, int width, int precision, char conv) {
        boolean upper = Character.isUpperCase(conv);
        char kind = Character.toLowerCase(conv);
        int prec = precision < 0 ? 6 : precision;
        // x86's 0/0, inf-inf and sqrt(-1) give a NaN with the sign bit set, which 5.1 prints "-nan";
        // LuaJ's 0/0 is Java's canonical NaN, so that one prints as those common ones do. Other
        // NaNs print by their sign bit (tonumber("nan") is marked positive, see Lua51Numbers).
        long bits = Double.doubleToRawLongBits(v);
        boolean negative = v < 0 || (v == 0 && 1 / v < 0)
                || Double.isNaN(v) && (bits == Double.doubleToRawLongBits(Double.NaN) || bits < 0);
        String body;
        boolean finite = !Double.isNaN(v) && !Double.isInfinite(v);
        if (!finite) {
            body = Double.isNaN(v) ? "nan" : "inf";
        } else {
            BigDecimal d = new BigDecimal(Math.abs(v));
            boolean alt = flags.indexOf('#') >= 0;
            switch (kind) {
                case 'f' -> body = fixed(d, prec, alt);
                case 'e' -> body = exponent(d, prec, alt);
                default -> body = general(d, prec == 0 ? 1 : prec, alt);
            }
        }
        if (upper) {
            body = body.toUpperCase();
        }
        String sign = negative ? "-" : flags.indexOf('+') >= 0 ? "+" : flags.indexOf(' ') >= 0 ? " " : "";
        return pad(sign, body, flags, width, finite);
    }

    /** Sign and digits padded to width: left with '-', with zeros after the sign with '0'. */
    static String pad(String sign, String body, String flags, int width, boolean zeroAllowed) {
        int fill = width - sign.length() - body.length();
        if (fill <= 0) {
            return sign + body;
        }
        if (flags.indexOf('-') >= 0) {
            return sign + body + " ".repeat(fill);
        }
        if (zeroAllowed && flags.indexOf('0') >= 0) {
            return sign + "0".repeat(fill) + body;
        }
        return " ".repeat(fill) + sign + body;
    }

    private static String fixed(BigDecimal d, int prec, boolean alt) {
        String s = d.setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
        return alt && prec == 0 ? s + "." : s;
    }

    private static String exponent(BigDecimal d, int prec, boolean alt) {
        int exp = 0;
        String digits;
        if (d.signum() == 0) {
            digits = "0".repeat(prec + 1);
        } else {
            BigDecimal r = d.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN));
            exp = r.precision() - r.scale() - 1;
            digits = r.unscaledValue().toString();
            digits = digits.length() > prec + 1 ? digits.substring(0, prec + 1) : digits + "0".repeat(prec + 1 - digits.length());
        }
        String mant = digits.substring(0, 1) + (prec > 0 || alt ? "." : "") + digits.substring(1);
        String e = Integer.toString(Math.abs(exp));
        return mant + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }

    private static String general(BigDecimal d, int prec, boolean alt) {
        int exp = 0;
        if (d.signum() != 0) {
            BigDecimal r = d.round(new MathContext(prec, RoundingMode.HALF_EVEN));
            exp = r.precision() - r.scale() - 1;
        }
        String s;
        if (exp < -4 || exp >= prec) {
            s = exponent(d, prec - 1, alt);
            if (!alt) {
                int e = s.indexOf('e');
                s = stripZeros(s.substring(0, e)) + s.substring(e);
            }
        } else {
            s = fixed(d, prec - 1 - exp, alt);
            if (!alt) {
                s = stripZeros(s);
            }
        }
        return s;
    }

    private static String stripZeros(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        return s.substring(0, end);
    }
}
