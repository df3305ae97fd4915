package kraken.lua;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;

/** The kraken module (SPEC section 4). */
public final class KrakenLib extends TwoArgFunction {
    private final Settings settings;
    private final Registry registry;
    private final LoopHandler loop;

    public KrakenLib(Settings settings, Registry registry, LoopHandler loop) {
        this.settings = settings;
        this.registry = registry;
        this.loop = loop;
    }

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaTable kraken = new LuaTable();
        kraken.set("loop", new ZeroArgFunction() {
            @Override
            public LuaValue call() {
                Varargs r = loop.loop(registry);
                return r.arg1();
            }
        });
        SettingsView.install(kraken, settings);
        env.get("package").get("loaded").set("kraken", kraken);
        return kraken;
    }
}
