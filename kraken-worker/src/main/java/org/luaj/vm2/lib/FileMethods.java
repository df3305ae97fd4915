package org.luaj.vm2.lib;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * The table LuaJ's io library looks file methods up in (f:write, f:read, ...). LuaJ keeps it
 * package-private; Lua51IoLib replaces file:write there so numbers are written as 5.1 writes them.
 */
public final class FileMethods {
    private FileMethods() {}

    /** @param ioFunction any function of the io table; null when it is not LuaJ's */
    public static LuaTable of(LuaValue ioFunction) {
        return ioFunction instanceof IoLib.IoLibV v && v.iolib != null ? v.iolib.filemethods : null;
    }
}
