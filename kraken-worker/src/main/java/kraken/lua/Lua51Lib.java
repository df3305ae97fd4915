package kraken.lua;

import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.TwoArgFunction;

/** Lua 5.1 functions that LuaJ (a Lua 5.2) lacks, with 5.1 semantics. */
public final class Lua51Lib extends TwoArgFunction {
    private final boolean sandbox;

    public Lua51Lib(boolean sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        return env;
    }
}
