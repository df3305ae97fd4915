package kraken.lua.module;

import kraken.lua.runtime.Args;
import kraken.lua.sockets.LuaSocket;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.Privileges;
import kraken.settings.Settings;
import kraken.settings.SettingsView;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The kraken module (docs/lua-api.md). Failures return nil and a message; only a wrong argument
 * type raises, with Lua 5.1's "bad argument #n to 'name' (...)".
 */
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
        for (Function f : new Function[] {
            new registerApplication(), new registerAddress(), new registerUser(), new socket(), new loop(),
        }) {
            kraken.set(f.name(), f);
        }
        kraken.set("AF", PlatformConstants.addressFamilies());
        kraken.set("SOCK", PlatformConstants.socketTypes());
        kraken.set("SO", PlatformConstants.socketOptions());
        SettingsView.install(kraken, settings);
        env.get("package").get("loaded").set("kraken", kraken);
        return kraken;
    }

    private static Varargs fail(String message) {
        return varargsOf(NIL, valueOf(message));
    }

    /** A kraken function, named for its error messages as the class is named. */
    abstract static class Function extends VarArgFunction {
        Function() {
            // getName, not getSimpleName: the latter parses class attributes, at every worker start.
            String n = getClass().getName();
            name = n.substring(n.lastIndexOf('$') + 1);
        }
    }

    final class registerApplication extends Function {
        @Override
        public Varargs invoke(Varargs args) {
            if (!args.arg1().isthread()) {
                throw Args.typeError(args, 1, name, "coroutine");
            }
            LuaThread co = (LuaThread) args.arg1();
            if (co.state.status != LuaThread.STATUS_INITIAL) {
                return fail("the application must be a coroutine that has not started (this one is "
                        + co.getStatus() + ")");
            }
            registry.setApplication(co);
            return TRUE;
        }
    }

    final class registerAddress extends Function {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = Args.checkTable(args, 1, name);
            try {
                registry.addAddress(Addresses.parseListener(t));
                return TRUE;
            } catch (IllegalArgumentException e) {
                return fail(e.getMessage());
            }
        }
    }

    final class registerUser extends Function {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue who = args.arg1();
            if (who.type() != TNUMBER && who.type() != TSTRING) {
                throw Args.typeError(args, 1, name, "uid or user name");
            }
            try {
                // In a script process the master's uid, not this process's, decides who may be named.
                int masterUid = settings.masterUid != null ? settings.masterUid : Privileges.getresids()[1];
                registry.setUser(Users.choose(who, masterUid, settings.allowRoot, Users.SYSTEM, settings));
                return TRUE;
            } catch (IllegalArgumentException e) {
                return fail(e.getMessage());
            } catch (PosixException e) {
                return fail(e.reason());
            }
        }
    }

    final class socket extends Function {
        @Override
        public Varargs invoke(Varargs args) {
            int domain = Args.optInt(args, 1, name, Posix.Constant.AF_INET.value);
            int type = Args.optInt(args, 2, name, Posix.Constant.SOCK_STREAM.value);
            int protocol = Args.optInt(args, 3, name, 0);
            return LuaSocket.open(domain, type, protocol, settings);
        }
    }

    final class loop extends Function {
        @Override
        public Varargs invoke(Varargs args) {
            return KrakenLib.this.loop.loop(registry);
        }
    }
}
