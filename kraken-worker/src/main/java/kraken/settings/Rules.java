package kraken.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.posix.Privileges;
import org.luaj.vm2.LuaValue;

/**
 * What a configuration value must be, for the keys of {@link Keys} whose rule is more than a
 * range, and how such a value lands in {@link Settings}. The ranges are written down in
 * notes/cli.md.
 */
final class Rules {
    private Rules() {}

    static final int MAX_WORKERS = 10000;
    static final int MAX_TIMEOUT_MS = 3_600_000;
    static final double MAX_SECONDS = 31_536_000; // a year
    static final long MIN_HEAP = 16L << 20;
    static final int MAX_REFUSAL = 1024;
    /** RLIMIT_NPROC counts threads: a worker JVM alone runs about 15 to 25. */
    static final int MIN_PROCESSES = 32;
    static final long MAX_HEAP = 1024L << 30;
    /** A worker JVM alone takes about 40 MB beyond its heap: less could not start one. */
    static final long MIN_MEMORY_TOTAL = 64L << 20;
    private static final Pattern SIZE = Pattern.compile("([1-9][0-9]{0,12})([kmg]?)");

    // A string that reads as a number is still a string here: a configuration says what it means.
    static boolean number(LuaValue v) {
        return v.type() == LuaValue.TNUMBER && !Double.isNaN(v.todouble());
    }

    static Predicate<LuaValue> integer(long min, long max) {
        return v -> number(v) && v.todouble() == Math.floor(v.todouble()) && v.todouble() >= min && v.todouble() <= max;
    }

    static boolean timeout(LuaValue v) {
        Predicate<LuaValue> ms = integer(0, MAX_TIMEOUT_MS);
        if (!v.istable()) {
            return ms.test(v);
        }
        LuaValue k = LuaValue.NIL;
        int count = 0;
        while (!(k = v.next(k).arg1()).isnil()) {
            count++;
        }
        LuaValue min = v.rawget(1);
        LuaValue max = v.rawget(2);
        return count == 2 && ms.test(min) && ms.test(max) && min.todouble() <= max.todouble();
    }

    static void applyTimeout(Settings s, LuaValue v) {
        s.mmTimeoutRange = v.istable();
        s.mmTimeoutMin = v.istable() ? v.rawget(1).toint() : 0;
        s.mmTimeoutMax = v.istable() ? v.rawget(2).toint() : v.toint();
    }

    static final int MAX_PROXY_SOURCES = 1000;

    // A sequence {"a", "b/n", ...} of strings, each an address or a CIDR block: nothing else in it.
    static boolean proxySources(LuaValue v) {
        if (!v.istable()) {
            return false;
        }
        int n = v.rawlen();
        int count = 0;
        for (LuaValue k = v.next(LuaValue.NIL).arg1(); !k.isnil(); k = v.next(k).arg1()) {
            count++;
        }
        if (count != n || n > MAX_PROXY_SOURCES) {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            LuaValue e = v.rawget(i);
            if (e.type() != LuaValue.TSTRING || !TrustedSources.isValidEntry(e.tojstring())) {
                return false;
            }
        }
        return true;
    }

    static void applyProxySources(Settings s, LuaValue v) {
        List<String> from = new ArrayList<>();
        for (int i = 1; i <= v.rawlen(); i++) {
            from.add(v.rawget(i).tojstring());
        }
        s.proxyFrom = List.copyOf(from);
    }

    static boolean existingUser(LuaValue v) {
        if (v.type() == LuaValue.TSTRING) {
            return !v.tojstring().isEmpty() && Privileges.getpwnam(v.tojstring()) != null;
        }
        return integer(0, 0xFFFF_FFFEL).test(v) && Privileges.getpwuid((int) v.tolong()) != null;
    }

    static void applyUser(Settings s, LuaValue v) {
        if (v.istable()) {
            s.user = null;
            s.userFrom = (int) v.rawget("from").tolong();
            s.userTo = (int) v.rawget("to").tolong();
            return;
        }
        s.userFrom = null;
        s.userTo = null;
        s.user = v.type() == LuaValue.TNUMBER ? Long.toString(v.tolong()) : v.tojstring();
    }

    /** A Lua string's bytes, one char each, so that any byte value survives to the socket. */
    static String latin1(LuaValue v) {
        org.luaj.vm2.LuaString ls = v.strvalue();
        byte[] b = new byte[ls.length()];
        ls.copyInto(0, b, 0, b.length);
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** kraken.user = {from = UID, to = UID}: exactly those two fields. */
    static final class UidRangeKey {
        private UidRangeKey() {}

        static boolean valid(LuaValue v) {
            int count = 0;
            LuaValue k = LuaValue.NIL;
            while (!(k = v.next(k).arg1()).isnil()) {
                count++;
            }
            LuaValue from = v.rawget("from");
            LuaValue to = v.rawget("to");
            Predicate<LuaValue> uid = integer(1, 0xFFFF_FFFEL);
            if (count != 2 || !uid.test(from) || !uid.test(to)) {
                return false;
            }
            long f = from.tolong();
            long t = to.tolong();
            return f <= t && t - f < MAX_WORKERS && !(f <= 65534 && 65534 <= t);
        }
    }

    static boolean heapSize(LuaValue v) {
        return size(v, MIN_HEAP);
    }

    static boolean size(LuaValue v, long min) {
        if (v.type() != LuaValue.TSTRING) {
            return false;
        }
        long bytes = bytes(v.tojstring());
        return bytes >= min && bytes <= MAX_HEAP;
    }

    /**
     * A size as limits.memory and limits.memory_total write it ("512m", "2g", "65536k", "1048576")
     * in bytes; -1 when it is not one or is over 1024g.
     */
    static long bytes(String size) {
        Matcher m = SIZE.matcher(size.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return -1;
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        return n > (MAX_HEAP >> shift) ? -1 : n << shift;
    }
}
