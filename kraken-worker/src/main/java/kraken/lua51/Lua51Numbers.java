package kraken.lua51;

import java.util.regex.Pattern;

/** Lua 5.1's string-to-number conversion (lobject.c luaO_str2d: C's strtod, then strtoul for hex). */
final class Lua51Numbers {
    private Lua51Numbers() {}

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern HEX = Pattern.compile("[+-]?0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)([pP][+-]?\\d+)?");
    private static final Pattern SPECIAL = Pattern.compile("[+-]?(?i:inf|infinity|nan)");

    /** The number a string holds, surrounding C white space allowed, or null. */
    static final double POSITIVE_NAN = Double.longBitsToDouble(0x7ff8000000000001L);

    static Double parse(String s) {
        String t = trim(s);
        if (DECIMAL.matcher(t).matches()) {
            return Double.parseDouble(t);
        }
        if (HEX.matcher(t).matches()) {
            return Double.parseDouble(t.matches(".*[pP].*") ? t : t + "p0");
        }
        if (SPECIAL.matcher(t).matches()) {
            // strtod's "nan" is positive: a payload tells it from the canonical NaN, printed "-nan" (CFormat).
            double v = t.toLowerCase().contains("nan") ? POSITIVE_NAN : Double.POSITIVE_INFINITY;
            return t.startsWith("-") ? -v : v;
        }
        return null;
    }

    /** strtoul(s, base) as tonumber(s, base) uses it: the whole string must be digits of the base. */
    static Double parseInteger(String s, int base) {
        String t = trim(s);
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        if (base == 16 && (t.startsWith("0x") || t.startsWith("0X"))) {
            t = t.substring(2);
        }
        if (t.isEmpty()) {
            return null;
        }
        double n = 0;
        for (int i = 0; i < t.length(); i++) {
            int d = Character.digit(t.charAt(i), base);
            if (d < 0 || t.charAt(i) > 'z') {
                return null;
            }
            n = n * base + d;
        }
        // strtoul wraps negative values around 2^64.
        return negative && n != 0 ? Math.pow(2, 64) - n : n;
    }

    private static String trim(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }
}
