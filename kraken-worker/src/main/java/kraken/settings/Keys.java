package kraken.settings;

import static kraken.settings.Rules.MAX_REFUSAL;
import static kraken.settings.Rules.MAX_SECONDS;
import static kraken.settings.Rules.MAX_TIMEOUT_MS;
import static kraken.settings.Rules.MAX_WORKERS;
import static kraken.settings.Rules.MIN_PROCESSES;
import static kraken.settings.Rules.integer;
import static kraken.settings.Rules.number;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import kraken.posix.Privileges;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * Every configuration key of docs/configuration.md, in its order, each declared once: its rule,
 * how it lands in {@link Settings}, how the script reads it, how it travels to a worker, and
 * whether a HUP reloads it (see {@link Key}). A new key is one entry here and its field in
 * Settings; the configuration loader, the script's view, the wire form and the reload follow.
 */
public final class Keys {
    private Keys() {}

    private static final boolean RELOAD = true;
    private static final boolean KEEP = false;

    public static final List<Key> ALL = List.of(
            field("mm.tries", "an integer from 1 to 100", integer(1, 100), Codec.INT,
                    s -> s.mmTries, (s, v) -> s.mmTries = v, RELOAD),
            new Key("mm.timeout", "a number of milliseconds from 0 to " + MAX_TIMEOUT_MS
                    + ", or a table {min, max} of two such numbers with min <= max", Rules::timeout, Rules::applyTimeout,
                    Keys::readTimeout, Keys::encodeTimeout, Keys::decodeTimeout, (to, from) -> {
                        to.mmTimeoutMin = from.mmTimeoutMin;
                        to.mmTimeoutMax = from.mmTimeoutMax;
                        to.mmTimeoutRange = from.mmTimeoutRange;
                    }),
            field("isolation", "\"process\" or \"state\"",
                    v -> v.type() == LuaValue.TSTRING && (v.tojstring().equals("process") || v.tojstring().equals("state")),
                    Codec.STRING, s -> s.isolation, (s, v) -> s.isolation = v, RELOAD),
            field("workers.spare", "an integer from 0 to kraken.workers.max", integer(0, MAX_WORKERS), Codec.INT,
                    s -> s.workersSpare, (s, v) -> s.workersSpare = v, RELOAD),
            field("workers.max", "an integer from 1 to " + MAX_WORKERS, integer(1, MAX_WORKERS), Codec.INT,
                    s -> s.workersMax, (s, v) -> s.workersMax = v, RELOAD),
            field("workers.connections", "an integer from 1 to " + Integer.MAX_VALUE, integer(1, Integer.MAX_VALUE),
                    Codec.INT, s -> s.workersConnections, (s, v) -> s.workersConnections = v, RELOAD),
            field("workers.idle", "a number of seconds greater than 0 and at most " + (long) MAX_SECONDS,
                    v -> number(v) && v.todouble() > 0 && v.todouble() <= MAX_SECONDS, Codec.DOUBLE,
                    s -> s.workersIdle, (s, v) -> s.workersIdle = v, RELOAD),
            new Key("user", "the name or the uid of an existing user, or a uid range {from = UID, to = UID} with"
                    + " 1 <= from <= to <= 4294967294, at most " + MAX_WORKERS + " uids, without 65534 (nobody)",
                    v -> v.istable() ? Rules.UidRangeKey.valid(v) : Rules.existingUser(v), Rules::applyUser,
                    Keys::readUser, Keys::encodeUser, Keys::decodeUser, null),
            new Key("users", UsersKey.REQUIREMENT, UsersKey::accepts, UsersKey::apply,
                    UsersKey::read, UsersKey::encode, UsersKey::decode, null),
            field("allow_root", "true or false", LuaValue::isboolean, Codec.BOOLEAN,
                    s -> s.allowRoot, (s, v) -> s.allowRoot = v, KEEP),
            field("limits.time", "a number of seconds greater than 0 and at most " + (long) MAX_SECONDS,
                    v -> number(v) && v.todouble() > 0 && v.todouble() <= MAX_SECONDS, Codec.DOUBLE,
                    s -> s.limitTime, (s, v) -> s.limitTime = v, RELOAD),
            field("limits.memory", "a heap size from \"16m\" to \"1024g\", like \"64m\" or \"1g\"", Rules::heapSize,
                    Codec.HEAP_SIZE, s -> s.limitMemory, (s, v) -> s.limitMemory = v, RELOAD),
            field("limits.cpu", "an integer number of seconds from 1 to " + (long) MAX_SECONDS + ", or nil",
                    integer(1, (long) MAX_SECONDS), Codec.LONG, s -> s.limitCpu, (s, v) -> s.limitCpu = v, RELOAD),
            field("limits.files", "an integer from 64 to 1048576, or nil", integer(64, 1_048_576), Codec.LONG,
                    s -> s.limitFiles, (s, v) -> s.limitFiles = v, RELOAD),
            field("limits.line", "an integer from 1 to 1073741824", integer(1, 1 << 30), Codec.INT,
                    s -> s.limitLine, (s, v) -> s.limitLine = v, RELOAD),
            field("limits.coroutines", "an integer from 1 to 100000", integer(1, 100_000), Codec.INT,
                    s -> s.limitCoroutines, (s, v) -> s.limitCoroutines = v, RELOAD),
            field("limits.per_source", "an integer from 1 to 1000000, or nil", integer(1, 1_000_000), Codec.INT,
                    s -> s.limitPerSource, (s, v) -> s.limitPerSource = v, RELOAD),
            field("limits.refusal", "a string of at most " + MAX_REFUSAL + " bytes, or nil",
                    v -> v.type() == LuaValue.TSTRING && v.strvalue().length() <= MAX_REFUSAL, Codec.BYTES,
                    s -> s.limitRefusal, (s, v) -> s.limitRefusal = v, RELOAD),
            field("limits.processes", "an integer from " + MIN_PROCESSES + " to 4194304, or nil",
                    integer(MIN_PROCESSES, 4_194_304), Codec.LONG, s -> s.limitProcesses,
                    (s, v) -> s.limitProcesses = v, RELOAD),
            field("limits.memory_total", "a size from \"64m\" to \"1024g\", like \"512m\" or \"2g\"",
                    v -> Rules.size(v, Rules.MIN_MEMORY_TOTAL), Codec.HEAP_SIZE, s -> s.limitMemoryTotal,
                    (s, v) -> s.limitMemoryTotal = v, RELOAD),
            field("sandbox", "true or false", LuaValue::isboolean, Codec.BOOLEAN,
                    s -> s.sandbox, (s, v) -> s.sandbox = v, KEEP),
            field("grace", "a number of seconds from 0 to " + (long) MAX_SECONDS,
                    v -> number(v) && v.todouble() >= 0 && v.todouble() <= MAX_SECONDS, Codec.DOUBLE,
                    s -> s.grace, (s, v) -> s.grace = v, RELOAD),
            new Key("status", StatusKey.REQUIREMENT, StatusKey::accepts, StatusKey::apply,
                    StatusKey::read, StatusKey::encode, StatusKey::decode, null),
            field("log.connections", "true or false", LuaValue::isboolean, Codec.BOOLEAN,
                    s -> s.logConnections, (s, v) -> s.logConnections = v, RELOAD),
            new Key("proxy.from", "a list of IPv4 or IPv6 addresses or CIDR blocks, like {\"127.0.0.1\","
                    + " \"10.0.0.0/8\", \"::1\"}", Rules::proxySources,
                    Rules::applyProxySources, Keys::readProxySources, Keys::encodeProxySources,
                    Keys::decodeProxySources, null),
            field("confine.network", "\"none\" or \"host\"", oneOf("none", "host"), Codec.STRING,
                    s -> s.confineNetwork, (s, v) -> s.confineNetwork = v, KEEP),
            field("confine.files", "\"read-only\" or \"host\"", oneOf("read-only", "host"), Codec.STRING,
                    s -> s.confineFiles, (s, v) -> s.confineFiles = v, KEEP));

    private static final Map<String, Key> BY_NAME = byName();

    private static Map<String, Key> byName() {
        Map<String, Key> m = new LinkedHashMap<>();
        for (Key k : ALL) {
            m.put(k.name(), k);
        }
        return m;
    }

    /** The key named "workers.spare", or null. */
    public static Key named(String name) {
        return BY_NAME.get(name);
    }

    /** The uid a valid kraken.user value names; -1 for a range (never root). */
    public static int uidOf(LuaValue v) {
        if (v.istable()) {
            return -1;
        }
        return v.type() == LuaValue.TSTRING ? Privileges.getpwnam(v.tojstring()).uid() : (int) v.tolong();
    }

    private static Predicate<LuaValue> oneOf(String a, String b) {
        return v -> v.type() == LuaValue.TSTRING && (v.tojstring().equals(a) || v.tojstring().equals(b));
    }

    /** A key held in one field of Settings, whose value moves as the codec says. */
    private static <T> Key field(String name, String requirement, Predicate<LuaValue> accepts, Codec<T> codec,
                                 Function<Settings, T> get, BiConsumer<Settings, T> set, boolean reloadable) {
        return new Key(name, requirement, accepts,
                (s, v) -> set.accept(s, codec.fromLua().apply(v)),
                s -> {
                    T x = get.apply(s);
                    return x == null ? LuaValue.NIL : codec.toLua().apply(x);
                },
                (s, m) -> {
                    T x = get.apply(s);
                    if (x != null) {
                        m.put(name, codec.toWire().apply(x));
                    }
                },
                (m, s) -> {
                    String w = m.get(name);
                    if (w != null) {
                        set.accept(s, codec.fromWire().apply(w));
                    }
                },
                reloadable ? (to, from) -> set.accept(to, get.apply(from)) : null);
    }

    // ---- mm.timeout: one number (the maximum) or {min, max} ----

    private static LuaValue readTimeout(Settings s) {
        return s.mmTimeoutRange
                ? LuaValue.listOf(new LuaValue[] {LuaValue.valueOf(s.mmTimeoutMin), LuaValue.valueOf(s.mmTimeoutMax)})
                : LuaValue.valueOf(s.mmTimeoutMax);
    }

    private static void encodeTimeout(Settings s, Map<String, String> m) {
        m.put("mm.timeout.min", Integer.toString(s.mmTimeoutMin));
        m.put("mm.timeout.max", Integer.toString(s.mmTimeoutMax));
        m.put("mm.timeout.range", Boolean.toString(s.mmTimeoutRange));
    }

    private static void decodeTimeout(Map<String, String> m, Settings s) {
        s.mmTimeoutMin = Integer.parseInt(m.get("mm.timeout.min"));
        s.mmTimeoutMax = Integer.parseInt(m.get("mm.timeout.max"));
        s.mmTimeoutRange = Boolean.parseBoolean(m.get("mm.timeout.range"));
    }

    // ---- user: a name, a uid (kept as its digits), or a uid range {from, to} ----

    private static LuaValue readUser(Settings s) {
        if (s.userFrom != null) {
            LuaTable range = new LuaTable();
            range.rawset("from", LuaValue.valueOf(Integer.toUnsignedLong(s.userFrom)));
            range.rawset("to", LuaValue.valueOf(Integer.toUnsignedLong(s.userTo)));
            return range;
        }
        if (s.user == null) {
            return LuaValue.NIL;
        }
        return userValue(s.user);
    }

    /** The configuration gave either a name or a uid; a uid reads back as the number it was. */
    static LuaValue userValue(String user) {
        // A loop, not String.matches, which compiles its pattern at every call (every connection's state).
        boolean uid = !user.isEmpty();
        for (int i = 0; i < user.length() && uid; i++) {
            uid = user.charAt(i) >= '0' && user.charAt(i) <= '9';
        }
        return uid ? LuaValue.valueOf(Double.parseDouble(user)) : LuaValue.valueOf(user);
    }

    private static void encodeUser(Settings s, Map<String, String> m) {
        if (s.user != null) {
            m.put("user", s.user);
        }
        if (s.userDefaulted) {
            m.put("user.defaulted", "true");
        }
        if (s.userFrom != null) {
            m.put("user.from", Integer.toUnsignedString(s.userFrom));
            m.put("user.to", Integer.toUnsignedString(s.userTo));
        }
    }

    private static void decodeUser(Map<String, String> m, Settings s) {
        s.user = m.get("user");
        s.userDefaulted = "true".equals(m.get("user.defaulted"));
        if (m.containsKey("user.from")) {
            s.userFrom = Integer.parseUnsignedInt(m.get("user.from"));
            s.userTo = Integer.parseUnsignedInt(m.get("user.to"));
        }
    }

    // ---- proxy.from: a list of addresses and blocks, none by default ----

    private static LuaValue readProxySources(Settings s) {
        if (s.proxyFrom.isEmpty()) {
            return LuaValue.NIL;
        }
        LuaValue[] from = new LuaValue[s.proxyFrom.size()];
        for (int i = 0; i < from.length; i++) {
            from[i] = LuaValue.valueOf(s.proxyFrom.get(i));
        }
        return LuaValue.listOf(from);
    }

    private static void encodeProxySources(Settings s, Map<String, String> m) {
        if (!s.proxyFrom.isEmpty()) {
            m.put("proxy.from", String.join(" ", s.proxyFrom));
        }
    }

    private static void decodeProxySources(Map<String, String> m, Settings s) {
        s.proxyFrom = m.containsKey("proxy.from") ? List.of(m.get("proxy.from").split(" ")) : List.of();
    }

    /** A size as limits.memory and limits.memory_total write it, in bytes; -1 when it is not one. */
    public static long bytes(String size) {
        return Rules.bytes(size);
    }
}
