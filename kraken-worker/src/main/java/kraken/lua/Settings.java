package kraken.lua;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated configuration (SPEC section 3): what the master loaded from the configuration
 * file, and what it hands to every worker. Defaults are the SPEC's.
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
    public int workersConnections = 1000;
    /** The configured default user; null means "nobody" for a root master, else the master's own user. */
    public String user = null;
    public boolean allowRoot = false;
    public double limitTime = 300;
    public String limitMemory = "64m";
    /** RLIMIT_CPU seconds; null for no limit. */
    public Long limitCpu = null;
    /** RLIMIT_NOFILE; null for no limit. */
    public Long limitFiles = null;
    public int limitLine = 65536;
    public boolean sandbox = false;
    public double grace = 30;
    /** kraken.proxy.from: addresses and CIDR blocks that must send a PROXY header; empty for none. */
    public java.util.List<String> proxyFrom = java.util.List.of();

    public boolean stateIsolation() {
        return "state".equals(isolation);
    }

    /** A flat key=value form for the master/worker protocol. */
    public Map<String, String> encode() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("mm.tries", Integer.toString(mmTries));
        m.put("mm.timeout.min", Integer.toString(mmTimeoutMin));
        m.put("mm.timeout.max", Integer.toString(mmTimeoutMax));
        m.put("mm.timeout.range", Boolean.toString(mmTimeoutRange));
        m.put("isolation", isolation);
        m.put("workers.spare", Integer.toString(workersSpare));
        m.put("workers.max", Integer.toString(workersMax));
        m.put("workers.connections", Integer.toString(workersConnections));
        if (user != null) {
            m.put("user", user);
        }
        m.put("allow_root", Boolean.toString(allowRoot));
        m.put("limits.time", Double.toString(limitTime));
        m.put("limits.memory", limitMemory);
        if (limitCpu != null) {
            m.put("limits.cpu", Long.toString(limitCpu));
        }
        if (limitFiles != null) {
            m.put("limits.files", Long.toString(limitFiles));
        }
        m.put("limits.line", Integer.toString(limitLine));
        m.put("sandbox", Boolean.toString(sandbox));
        m.put("grace", Double.toString(grace));
        if (!proxyFrom.isEmpty()) {
            m.put("proxy.from", String.join(" ", proxyFrom));
        }
        return m;
    }

    public static Settings decode(Map<String, String> m) {
        Settings s = new Settings();
        s.mmTries = Integer.parseInt(m.get("mm.tries"));
        s.mmTimeoutMin = Integer.parseInt(m.get("mm.timeout.min"));
        s.mmTimeoutMax = Integer.parseInt(m.get("mm.timeout.max"));
        s.mmTimeoutRange = Boolean.parseBoolean(m.get("mm.timeout.range"));
        s.isolation = m.get("isolation");
        s.workersSpare = Integer.parseInt(m.get("workers.spare"));
        s.workersMax = Integer.parseInt(m.get("workers.max"));
        s.workersConnections = Integer.parseInt(m.get("workers.connections"));
        s.user = m.get("user");
        s.allowRoot = Boolean.parseBoolean(m.get("allow_root"));
        s.limitTime = Double.parseDouble(m.get("limits.time"));
        s.limitMemory = m.get("limits.memory");
        s.limitCpu = m.containsKey("limits.cpu") ? Long.valueOf(m.get("limits.cpu")) : null;
        s.limitFiles = m.containsKey("limits.files") ? Long.valueOf(m.get("limits.files")) : null;
        s.limitLine = Integer.parseInt(m.get("limits.line"));
        s.sandbox = Boolean.parseBoolean(m.get("sandbox"));
        s.grace = Double.parseDouble(m.get("grace"));
        s.proxyFrom = m.containsKey("proxy.from") ? java.util.List.of(m.get("proxy.from").split(" ")) : java.util.List.of();
        return s;
    }
}
