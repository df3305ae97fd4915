package kraken.master;

import kraken.lua.LoopHandler;
import kraken.lua.Registry;
import kraken.lua.Settings;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** kraken.loop() in the master: bind, prefork, dispatch until a graceful stop. */
public final class MasterLoop implements LoopHandler {
    private final Settings settings;
    private final LaunchPlan plan;

    public MasterLoop(Settings settings, LaunchPlan plan) {
        this.settings = settings;
        this.plan = plan;
    }

    @Override
    public Varargs loop(Registry registry) {
        return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("kraken.loop: dispatcher not built yet"));
    }
}
