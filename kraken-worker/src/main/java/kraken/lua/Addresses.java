package kraken.lua;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/** The {host = h, port = p} tables of registerAddress and bind. */
final class Addresses {
    private Addresses() {}

    /** The address a table names; IllegalArgumentException with the reason when it names none. */
    static Registry.Address parse(LuaTable t, int lowestPort) {
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
