package kraken.settings;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.posix.Posix;
import org.luaj.vm2.LuaValue;

/** Every configuration key of docs/configuration.md, with its rule. The ranges are written down in notes/cli.md. */
public final class Keys {
    private Keys() {}

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

    public static final List<Key> ALL = List.of(
            new Key("mm.tries", "an integer from 1 to 100", integer(1, 100),
                    (s, v) -> s.mmTries = v.toint()),
            new Key("mm.timeout", "a number of milliseconds from 0 to " + MAX_TIMEOUT_MS
                    + ", or a table {min, max} of two such numbers with min <= max", Keys::timeout, Keys::applyTimeout),
            new Key("isolation", "\"process\" or \"state\"",
                    v -> v.type() == LuaValue.TSTRING && (v.tojstring().equals("process") || v.tojstring().equals("state")),
                    (s, v) -> s.isolation = v.tojstring()),
            new Key("workers.spare", "an integer from 0 to kraken.workers.max", integer(0, MAX_WORKERS),
                    (s, v) -> s.workersSpare = v.toint()),
            new Key("workers.max", "an integer from 1 to " + MAX_WORKERS, integer(1, MAX_WORKERS),
                    (s, v) -> s.workersMax = v.toint()),
            new Key("workers.connections", "an integer from 1 to " + Integer.MAX_VALUE, integer(1, Integer.MAX_VALUE),
                    (s, v) -> s.workersConnections = v.toint()),
            new Key("workers.idle", "a number of seconds greater than 0 and at most " + (long) MAX_SECONDS,
                    v -> number(v) && v.todouble() > 0 && v.todouble() <= MAX_SECONDS, (s, v) -> s.workersIdle = v.todouble()),
            new Key("user", "the name or the uid of an existing user, or a uid range {from = UID, to = UID} with"
                    + " 1 <= from <= to <= 4294967294, at most " + MAX_WORKERS + " uids, without 65534 (nobody)",
                    v -> v.istable() ? UidRangeKey.valid(v) : existingUser(v), Keys::applyUser),
            new Key("users", UsersKey.REQUIREMENT, UsersKey::accepts, UsersKey::apply),
            new Key("allow_root", "true or false", LuaValue::isboolean, (s, v) -> s.allowRoot = v.toboolean()),
            new Key("limits.time", "a number of seconds greater than 0 and at most " + (long) MAX_SECONDS,
                    v -> number(v) && v.todouble() > 0 && v.todouble() <= MAX_SECONDS, (s, v) -> s.limitTime = v.todouble()),
            new Key("limits.memory", "a heap size from \"16m\" to \"1024g\", like \"64m\" or \"1g\"", Keys::heapSize,
                    (s, v) -> s.limitMemory = v.tojstring().toLowerCase(Locale.ROOT)),
            new Key("limits.cpu", "an integer number of seconds from 1 to " + (long) MAX_SECONDS + ", or nil",
                    integer(1, (long) MAX_SECONDS), (s, v) -> s.limitCpu = v.tolong()),
            new Key("limits.files", "an integer from 64 to 1048576, or nil", integer(64, 1_048_576),
                    (s, v) -> s.limitFiles = v.tolong()),
            new Key("limits.line", "an integer from 1 to 1073741824", integer(1, 1 << 30),
                    (s, v) -> s.limitLine = v.toint()),
            new Key("limits.coroutines", "an integer from 1 to 100000", integer(1, 100_000),
                    (s, v) -> s.limitCoroutines = v.toint()),
            new Key("limits.per_source", "an integer from 1 to 1000000, or nil", integer(1, 1_000_000),
                    (s, v) -> s.limitPerSource = v.toint()),
            new Key("limits.refusal", "a string of at most " + MAX_REFUSAL + " bytes, or nil",
                    v -> v.type() == LuaValue.TSTRING && v.strvalue().length() <= MAX_REFUSAL,
                    (s, v) -> s.limitRefusal = latin1(v)),
            new Key("limits.processes", "an integer from " + MIN_PROCESSES + " to 4194304, or nil",
                    integer(MIN_PROCESSES, 4_194_304), (s, v) -> s.limitProcesses = v.tolong()),
            new Key("limits.memory_total", "a size from \"64m\" to \"1024g\", like \"512m\" or \"2g\"",
                    v -> size(v, MIN_MEMORY_TOTAL), (s, v) -> s.limitMemoryTotal = v.tojstring().toLowerCase(Locale.ROOT)),
            new Key("sandbox", "true or false", LuaValue::isboolean, (s, v) -> s.sandbox = v.toboolean()),
            new Key("grace", "a number of seconds from 0 to " + (long) MAX_SECONDS,
                    v -> number(v) && v.todouble() >= 0 && v.todouble() <= MAX_SECONDS, (s, v) -> s.grace = v.todouble()),
            new Key("status", StatusKey.REQUIREMENT, StatusKey::accepts, StatusKey::apply),
            new Key("log.connections", "true or false", LuaValue::isboolean,
                    (s, v) -> s.logConnections = v.toboolean()),
            new Key("proxy.from", "a list of IPv4 or IPv6 addresses or CIDR blocks, like {\"127.0.0.1\","
                    + " \"10.0.0.0/8\", \"::1\"}", Keys::proxySources, Keys::applyProxySources),
            new Key("confine.network", "\"none\" or \"host\"", oneOf("none", "host"),
                    (s, v) -> s.confineNetwork = v.tojstring()),
            new Key("confine.files", "\"read-only\" or \"host\"", oneOf("read-only", "host"),
                    (s, v) -> s.confineFiles = v.tojstring()));

    private static final Map<String, Key> BY_NAME = byName();

    private static Map<String, Key> byName() {
        Map<String, Key> m = new LinkedHashMap<>();
        for (Key k : ALL) {
            m.put(k.name(), k);
        }
        if (!m.keySet().equals(new LinkedHashSet<>(SettingsView.KEYS))) {
            throw new AssertionError("kraken.config.Keys and SettingsView.KEYS disagree");
        }
        return m;
    }

    /** The key named "workers.spare", or null. */
    public static Key named(String name) {
        return BY_NAME.get(name);
    }

    // A string that reads as a number is still a string here: a configuration says what it means.
    private static boolean number(LuaValue v) {
        return v.type() == LuaValue.TNUMBER && !Double.isNaN(v.todouble());
    }

    private static Predicate<LuaValue> oneOf(String a, String b) {
        return v -> v.type() == LuaValue.TSTRING && (v.tojstring().equals(a) || v.tojstring().equals(b));
    }

    static Predicate<LuaValue> integer(long min, long max) {
        return v -> number(v) && v.todouble() == Math.floor(v.todouble()) && v.todouble() >= min && v.todouble() <= max;
    }

    private static boolean timeout(LuaValue v) {
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

    private static void applyTimeout(Settings s, LuaValue v) {
        s.mmTimeoutRange = v.istable();
        s.mmTimeoutMin = v.istable() ? v.rawget(1).toint() : 0;
        s.mmTimeoutMax = v.istable() ? v.rawget(2).toint() : v.toint();
    }

    static final int MAX_PROXY_SOURCES = 1000;

    // A sequence {"a", "b/n", ...} of strings, each an address or a CIDR block: nothing else in it.
    private static boolean proxySources(LuaValue v) {
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

    private static void applyProxySources(Settings s, LuaValue v) {
        List<String> from = new java.util.ArrayList<>();
        for (int i = 1; i <= v.rawlen(); i++) {
            from.add(v.rawget(i).tojstring());
        }
        s.proxyFrom = List.copyOf(from);
    }

    private static boolean existingUser(LuaValue v) {
        if (v.type() == LuaValue.TSTRING) {
            return !v.tojstring().isEmpty() && Posix.getpwnam(v.tojstring()) != null;
        }
        return integer(0, 0xFFFF_FFFEL).test(v) && Posix.getpwuid((int) v.tolong()) != null;
    }

    /** The uid a valid kraken.user value names; -1 for a range (never root). */
    public static int uidOf(LuaValue v) {
        if (v.istable()) {
            return -1;
        }
        return v.type() == LuaValue.TSTRING ? Posix.getpwnam(v.tojstring()).uid() : (int) v.tolong();
    }

    private static void applyUser(Settings s, LuaValue v) {
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
    private static String latin1(LuaValue v) {
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

    private static boolean heapSize(LuaValue v) {
        return size(v, MIN_HEAP);
    }

    private static boolean size(LuaValue v, long min) {
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
    public static long bytes(String size) {
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
