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
        // TEMPORARY (lead's branch): minimal registrations until the kraken-lib branch lands.
        kraken.set("registerApplication", new org.luaj.vm2.lib.OneArgFunction() {
            @Override
            public LuaValue call(LuaValue co) {
                registry.setApplication(co.checkthread());
                return TRUE;
            }
        });
        kraken.set("registerAddress", new org.luaj.vm2.lib.OneArgFunction() {
            @Override
            public LuaValue call(LuaValue t) {
                registry.addAddress(new Registry.Address(t.get("host").checkjstring(), t.get("port").checkint()));
                return TRUE;
            }
        });
        kraken.set("registerUser", new org.luaj.vm2.lib.OneArgFunction() {
            @Override
            public LuaValue call(LuaValue u) {
                registry.setUser(u.tojstring());
                return TRUE;
            }
        });
        kraken.set("loop", new org.luaj.vm2.lib.VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                return loop.loop(registry);
            }
        });
        kraken.set("loop0", new ZeroArgFunction() {
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
