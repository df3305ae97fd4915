package kraken.settings;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * kraken.status (docs/configuration.md): where the master serves its status and metrics, either a TCP
 * address {host = h, port = p} or a Unix-domain socket {path = "/run/kraken.status"}. The host is
 * resolved when the master binds it, as registered addresses are.
 */
final class StatusKey {
    private StatusKey() {}

    /** sun_path holds 108 bytes with the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;

    static final String REQUIREMENT = "{host = \"127.0.0.1\", port = 9100} (a host name or address and a port"
            + " from 1 to 65535) or {path = \"/run/kraken.status\"} (an absolute path of at most " + MAX_PATH_BYTES
            + " bytes), and nothing else";

    static boolean accepts(LuaValue v) {
        if (!v.istable()) {
            return false;
        }
        int count = 0;
        for (Varargs n = v.next(LuaValue.NIL); !n.arg1().isnil(); n = v.next(n.arg1())) {
            LuaValue k = n.arg1();
            if (k.type() != LuaValue.TSTRING || !(k.tojstring().equals("host") || k.tojstring().equals("port")
                    || k.tojstring().equals("path"))) {
                return false;
            }
            count++;
        }
        LuaValue path = v.rawget("path");
        if (!path.isnil()) {
            return count == 1 && path.type() == LuaValue.TSTRING && path.tojstring().startsWith("/")
                    && path.tojstring().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES
                    && path.tojstring().indexOf('\0') < 0;
        }
        LuaValue host = v.rawget("host");
        LuaValue port = v.rawget("port");
        return count == 2 && host.type() == LuaValue.TSTRING && !host.tojstring().isEmpty()
                && !host.tojstring().matches(".*[\\s\\x00].*") && Rules.integer(1, 65535).test(port);
    }

    /** {host = h, port = p} or {path = p}, a fresh table; nil when unset. */
    static LuaValue read(Settings s) {
        if (s.statusPath == null && s.statusHost == null) {
            return LuaValue.NIL;
        }
        LuaTable t = new LuaTable();
        if (s.statusPath != null) {
            t.rawset("path", LuaValue.valueOf(s.statusPath));
        } else {
            t.rawset("host", LuaValue.valueOf(s.statusHost));
            t.rawset("port", LuaValue.valueOf(s.statusPort));
        }
        return t;
    }

    static void encode(Settings s, Map<String, String> m) {
        if (s.statusHost != null) {
            m.put("status.host", s.statusHost);
            m.put("status.port", Integer.toString(s.statusPort));
        }
        if (s.statusPath != null) {
            m.put("status.path", s.statusPath);
        }
    }

    static void decode(Map<String, String> m, Settings s) {
        s.statusHost = m.get("status.host");
        s.statusPort = m.containsKey("status.port") ? Integer.valueOf(m.get("status.port")) : null;
        s.statusPath = m.get("status.path");
    }

    static void apply(Settings s, LuaValue v) {
        if (!v.rawget("path").isnil()) {
            s.statusPath = v.rawget("path").tojstring();
        } else {
            s.statusHost = v.rawget("host").tojstring();
            s.statusPort = v.rawget("port").toint();
        }
    }
}
