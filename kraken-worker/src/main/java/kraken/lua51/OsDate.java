package kraken.lua51;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.util.Locale;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * os.date and os.time as 5.1 (loslib.c) does them over C's localtime, gmtime, mktime and
 * strftime in the "C" locale: each "%x" of the format is one strftime conversion; "*t" and "!*t"
 * give the date table; os.time(t) normalizes out-of-range fields as mktime does. The local zone
 * is the JVM's, which reads TZ and /etc/localtime as the C library does.
 */
final class OsDate {
    private OsDate() {}

    static final class date extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String format = args.isnil(1) ? "%c" : new String(Lua51Strings.check(args, 1, "date"),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            long t = args.isnil(2) ? Instant.now().getEpochSecond() : (long) args.checkdouble(2);
            boolean utc = format.startsWith("!");
            if (utc) {
                format = format.substring(1);
            }
            ZonedDateTime d = Instant.ofEpochSecond(t).atZone(utc ? ZoneOffset.UTC : ZoneId.systemDefault());
            if (format.startsWith("*t")) {
                LuaTable tbl = new LuaTable();
                tbl.set("sec", d.getSecond());
                tbl.set("min", d.getMinute());
                tbl.set("hour", d.getHour());
                tbl.set("day", d.getDayOfMonth());
                tbl.set("month", d.getMonthValue());
                tbl.set("year", d.getYear());
                tbl.set("wday", d.getDayOfWeek().getValue() % 7 + 1);
                tbl.set("yday", d.getDayOfYear());
                tbl.set("isdst", valueOf(!utc && d.getZone().getRules().isDaylightSavings(d.toInstant())));
                return tbl;
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c != '%' || i + 1 == format.length()) {
                    out.append(c);
                } else {
                    strftime(out, format.charAt(++i), d, utc);
                }
            }
            return valueOf(out.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    private static String pad(int n, int width, char with) {
        StringBuilder s = new StringBuilder(Integer.toString(n));
        while (s.length() < width) {
            s.insert(0, with);
        }
        return s.toString();
    }

    /** One strftime conversion in the C locale. */
    static void strftime(StringBuilder out, char conv, ZonedDateTime d, boolean utc) {
        int hour12 = d.getHour() % 12 == 0 ? 12 : d.getHour() % 12;
        switch (conv) {
            case 'a' -> out.append(d.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US));
            case 'A' -> out.append(d.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US));
            case 'b', 'h' -> out.append(d.getMonth().getDisplayName(TextStyle.SHORT, Locale.US));
            case 'B' -> out.append(d.getMonth().getDisplayName(TextStyle.FULL, Locale.US));
            case 'c' -> {
                strftime(out, 'a', d, utc);
                out.append(' ');
                strftime(out, 'b', d, utc);
                out.append(' ');
                strftime(out, 'e', d, utc);
                out.append(' ');
                strftime(out, 'T', d, utc);
                out.append(' ').append(d.getYear());
            }
            case 'C' -> out.append(two(d.getYear() / 100));
            case 'd' -> out.append(two(d.getDayOfMonth()));
            case 'D', 'x' -> out.append(two(d.getMonthValue())).append('/').append(two(d.getDayOfMonth()))
                    .append('/').append(two(d.getYear() % 100));
            case 'e' -> out.append(pad(d.getDayOfMonth(), 2, ' '));
            case 'F' -> out.append(pad(d.getYear(), 4, '0')).append('-').append(two(d.getMonthValue()))
                    .append('-').append(two(d.getDayOfMonth()));
            case 'g' -> out.append(two(d.get(IsoFields.WEEK_BASED_YEAR) % 100));
            case 'G' -> out.append(d.get(IsoFields.WEEK_BASED_YEAR));
            case 'H' -> out.append(two(d.getHour()));
            case 'I' -> out.append(two(hour12));
            case 'j' -> out.append(pad(d.getDayOfYear(), 3, '0'));
            case 'k' -> out.append(pad(d.getHour(), 2, ' '));
            case 'l' -> out.append(pad(hour12, 2, ' '));
            case 'm' -> out.append(two(d.getMonthValue()));
            case 'M' -> out.append(two(d.getMinute()));
            case 'n' -> out.append('\n');
            case 'p' -> out.append(d.getHour() < 12 ? "AM" : "PM");
            case 'P' -> out.append(d.getHour() < 12 ? "am" : "pm");
            case 'r' -> out.append(two(hour12)).append(':').append(two(d.getMinute())).append(':')
                    .append(two(d.getSecond())).append(' ').append(d.getHour() < 12 ? "AM" : "PM");
            case 'R' -> out.append(two(d.getHour())).append(':').append(two(d.getMinute()));
            case 's' -> out.append(d.toEpochSecond());
            case 'S' -> out.append(two(d.getSecond()));
            case 't' -> out.append('\t');
            case 'T', 'X' -> out.append(two(d.getHour())).append(':').append(two(d.getMinute())).append(':')
                    .append(two(d.getSecond()));
            case 'u' -> out.append(d.getDayOfWeek().getValue());
            case 'U' -> out.append(two((d.getDayOfYear() + 6 - d.getDayOfWeek().getValue() % 7) / 7));
            case 'V' -> out.append(two(d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
            case 'w' -> out.append(d.getDayOfWeek().getValue() % 7);
            case 'W' -> out.append(two((d.getDayOfYear() + 6 - (d.getDayOfWeek().getValue() + 6) % 7) / 7));
            case 'y' -> out.append(two(d.getYear() % 100));
            case 'Y' -> out.append(d.getYear());
            case 'z' -> {
                int secs = d.getOffset().getTotalSeconds();
                out.append(secs < 0 ? '-' : '+');
                secs = Math.abs(secs);
                out.append(two(secs / 3600)).append(two(secs / 60 % 60));
            }
            case 'Z' -> out.append(utc ? "GMT" : d.getZone().getRules().isDaylightSavings(d.toInstant())
                    ? java.util.TimeZone.getTimeZone(d.getZone()).getDisplayName(true, java.util.TimeZone.SHORT, Locale.ROOT)
                    : java.util.TimeZone.getTimeZone(d.getZone()).getDisplayName(false, java.util.TimeZone.SHORT, Locale.ROOT));
            case '%' -> out.append('%');
            default -> out.append('%').append(conv);
        }
    }

    /** os.time([t]): now, or mktime of the table's fields (hour 12, min and sec 0 by default). */
    static final class time extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (args.isnoneornil(1)) {
                return valueOf((double) Instant.now().getEpochSecond());
            }
            LuaTable t = Arguments.checkTable(args, 1, "time");
            int sec = field(t, "sec", 0);
            int min = field(t, "min", 0);
            int hour = field(t, "hour", 12);
            int day = field(t, "day", -1);
            int month = field(t, "month", -1);
            int year = field(t, "year", -1);
            LocalDateTime local = LocalDateTime.of(year, 1, 1, 0, 0)
                    .plusMonths(month - 1L).plusDays(day - 1L).plusHours(hour).plusMinutes(min).plusSeconds(sec);
            return valueOf((double) local.atZone(ZoneId.systemDefault()).toEpochSecond());
        }

        private static int field(LuaTable t, String key, int def) {
            LuaValue v = t.get(key);
            if (v.isnumber()) {
                return v.toint();
            }
            if (def < 0) {
                throw new LuaError("field '" + key + "' missing in date table");
            }
            return def;
        }
    }
}
