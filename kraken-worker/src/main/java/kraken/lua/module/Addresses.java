package kraken.lua.module;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/** The {host = h, port = p} tables of registerAddress and bind. */
public final class Addresses {
    private Addresses() {}

    /** sun_path holds 108 bytes, the terminating NUL included. */
    static final int MAX_UNIX_PATH = 107;

    /**
     * A listener for registerAddress: {host = h, port = p}, or {path = "/run/app.sock"} for a
     * Unix-domain socket ("@name" is a Linux abstract name).
     */
    static Registry.Address parseListener(LuaTable t) {
        LuaValue path = t.get("path");
        if (path.isnil()) {
            return parse(t, 1);
        }
        if (path.type() != LuaValue.TSTRING) {
            throw new IllegalArgumentException("path must be a string, got " + path.typename());
        }
        if (!t.get("host").isnil() || !t.get("port").isnil()) {
            throw new IllegalArgumentException("an address has either a path or a host and a port, not both");
        }
        String p = path.tojstring();
        int bytes = p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (p.isEmpty() || p.equals("@") || !p.chars().allMatch(c -> c >= ' ' && c != 0x7f)) {
            throw new IllegalArgumentException("invalid path '" + p + "'");
        }
        if (bytes > MAX_UNIX_PATH) {
            throw new IllegalArgumentException("path is longer than " + MAX_UNIX_PATH + " bytes: '" + p + "'");
        }
        return Registry.Address.unix(p);
    }

    /** The address a table names; IllegalArgumentException with the reason when it names none. */
    public static Registry.Address parse(LuaTable t, int lowestPort) {
        LuaValue host = t.get("host");
        if (host.type() != LuaValue.TSTRING) {
            throw new IllegalArgumentException("host must be a string, got " + host.typename());
        }
        String h = host.tojstring();
        if (h.isEmpty() || !h.chars().allMatch(c -> c > ' ' && c != 0x7f)) {
            throw new IllegalArgumentException("invalid host '" + h + "'");
        }
        LuaValue port = t.get("port");
        double p = port.isnumber() ? port.todouble() : Double.NaN;
        if (!(p >= lowestPort && p <= 65535 && p == Math.floor(p))) {
            throw new IllegalArgumentException("port must be an integer from " + lowestPort + " to 65535, got "
                    + (port.isnumber() ? port.tojstring() : port.typename()));
        }
        return new Registry.Address(h, (int) p);
    }
}
