package kraken.settings;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated configuration (docs/configuration.md): what the master loaded from the configuration
 * file, and what it hands to every worker. Defaults are those of docs/configuration.md.
 * The master's kraken.config fills it; workers rebuild it from {@link #encode()}.
 */
public final class Settings {
    public int mmTries = 5;
    public int mmTimeoutMin = 50;
    public int mmTimeoutMax = 500;
    /** Whether mm.timeout was given as {min, max} rather than one number (the maximum). */
    public boolean mmTimeoutRange = true;
    public String isolation = "process";
    public int workersSpare = 2;
    public int workersMax = 64;
    public int workersConnections = 10000;
    /** Seconds a ready worker above the spare target may stay idle before it retires. */
    public double workersIdle = 10;
    /** The configured default user; null means the master's own user (a root master's loader sets "nobody"). */
    public String user = null;
    /** Whether user is the root master's default rather than the configuration's (--check says which). */
    public boolean userDefaulted = false;
    public boolean allowRoot = false;
    public double limitTime = 300;
    public String limitMemory = "64m";
    /** RLIMIT_CPU seconds; null for no limit. */
    public Long limitCpu = null;
    /** RLIMIT_NOFILE; null for no limit. */
    public Long limitFiles = null;
    public int limitLine = 65536;
    /** Coroutines alive at once in one Lua state (each LuaJ coroutine is a Java thread). */
    public int limitCoroutines = 1000;
    /** Connections at once from one client address (IPv6: one /64); null for no limit. */
    public Integer limitPerSource = null;
    /** Written to a connection refused by limitPerSource before it is closed; null for nothing. */
    public String limitRefusal = null;
    /**
     * Processes and threads of one worker and everything it starts (a control group's pids.max;
     * RLIMIT_NPROC where no group can be made). A worker JVM runs 15 to 30 threads, and each LuaJ
     * coroutine is one more: the default fits limits.coroutines' default with room to spare.
     */
    public Long limitProcesses = 2048L;
    /** Memory of one worker and everything it starts, together (a control group's memory limit). */
    public String limitMemoryTotal = "512m";
    /**
     * Set by the master, not the configuration: the worker's control group enforces
     * limitProcesses, so the worker sets no RLIMIT_NPROC (which, under a uid shared by every
     * worker, would cap them all together rather than each).
     */
    public boolean processesByGroup = false;
    /** kraken.user = {from, to}: each live worker gets a uid of its own from this range; null when unset. */
    public Integer userFrom = null;
    public Integer userTo = null;
    public boolean sandbox = false;
    /**
     * kraken.users: the names and decimal uids the script may pass to kraken.registerUser; null
     * means any user (root still only with allowRoot). usersFrom..usersTo is a uid range instead.
     */
    public java.util.List<String> users = null;
    public Integer usersFrom = null;
    public Integer usersTo = null;
    /**
     * The master's effective uid (not a key): the script runs in a process of its own, as another
     * user, but what registerUser may name depends on who the master is. Null: this process's own.
     */
    public Integer masterUid = null;
    /**
     * The master's LUA_PATH (not a configuration key): workers get a scrubbed environment
     * (docs/hostile-input.md), so it travels in HELLO, and package.path is the same in the master and its workers.
     */
    public String luaPath = System.getenv("LUA_PATH");
    public double grace = 30;
    /** kraken.status: where the master serves status and metrics; all null when unset. */
    public String statusHost = null;
    public Integer statusPort = null;
    public String statusPath = null;
    /** kraken.log.connections: one log line per served connection. */
    public boolean logConnections = true;
    /** kraken.proxy.from: addresses and CIDR blocks that must send a PROXY header; empty for none. */
    public java.util.List<String> proxyFrom = java.util.List.of();
    /** kraken.confine (docs/walls.md): "none" or "host" networking, "read-only" or "host" files for workers. */
    public String confineNetwork = "host";
    public String confineFiles = "host";

    /**
     * Whether kraken.users lets the script register this user (its name from the password
     * database, or its uid in decimal when it has none, and its uid).
     */
    public boolean userAllowed(String name, long uid) {
        if (usersFrom != null) {
            return uid >= Integer.toUnsignedLong(usersFrom) && uid <= Integer.toUnsignedLong(usersTo);
        }
        return users == null || users.contains(name) || users.contains(Long.toString(uid));
    }

    public boolean stateIsolation() {
        return "state".equals(isolation);
    }

    /**
     * A flat key=value form for the master/worker protocol: each key's own (see {@link Keys}), then
     * what is not a configuration key: whether a control group caps processes, the master's uid and
     * LUA_PATH.
     */
    public Map<String, String> encode() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Key k : Keys.ALL) {
            k.encode().accept(this, m);
        }
        m.put("limits.processes.group", Boolean.toString(processesByGroup));
        if (masterUid != null) {
            m.put("master.uid", Integer.toUnsignedString(masterUid));
        }
        if (luaPath != null) {
            m.put("lua.path", luaPath);
        }
        return m;
    }

    public static Settings decode(Map<String, String> m) {
        Settings s = new Settings();
        for (Key k : Keys.ALL) {
            k.decode().accept(m, s);
        }
        s.processesByGroup = Boolean.parseBoolean(m.get("limits.processes.group"));
        s.masterUid = m.containsKey("master.uid") ? Integer.parseUnsignedInt(m.get("master.uid")) : null;
        s.luaPath = m.get("lua.path");
        return s;
    }
}
