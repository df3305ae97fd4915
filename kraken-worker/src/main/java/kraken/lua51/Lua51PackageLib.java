package kraken.lua51;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The package library as 5.1 has it: module and package.seeall, package.loaders (the very table
 * LuaJ calls package.searchers), 5.1's require ({@link Lua51Require}) and package.cpath.
 */
final class Lua51PackageLib extends TwoArgFunction {
    /** Lua 5.1's default package.cpath, used when LUA_CPATH is not set. */
    static final String LUA51_CPATH = "./?.so;/usr/local/lib/lua/5.1/?.so;/usr/local/lib/lua/5.1/loadall.so";

    private final Lua51State state;

    Lua51PackageLib(Lua51State state) {
        this.state = state;
    }

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaValue pkg = env.get("package");
        env.set("module", new module());
        pkg.set("seeall", new seeall());
        pkg.set("loaders", pkg.get("searchers"));
        // LUA_DIRSEP, LUA_PATHSEP, LUA_PATH_MARK, LUA_EXECDIR, LUA_IGMARK: libraries read
        // package.config:sub(1, 1) for the directory separator at their first line.
        pkg.set("config", "/\n;\n?\n!\n-");
        pkg.get("loaded").set("_G", env);
        new Lua51Require(state.globals, state.sandbox).install(pkg);
        if (pkg.get("cpath").isnil()) {
            // 5.1 scripts read package.cpath as a string (LuaJ has none). Nothing loads C
            // libraries here, so it only reports what lua5.1 would search.
            String cpath = System.getenv("LUA_CPATH");
            pkg.set("cpath", cpath == null ? LUA51_CPATH : cpath.replace(";;", ";" + LUA51_CPATH + ";"));
        }
        return pkg;
    }

    final class module extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String name = args.checkjstring(1);
            LuaValue loaded = state.globals.get("package").get("loaded");
            LuaValue mod = loaded.get(name);
            if (!mod.istable()) {
                mod = findTable(state.globalEnv, name);
                if (mod == null) {
                    throw new LuaError("name conflict for module '" + name + "'");
                }
                loaded.set(name, mod);
            }
            if (mod.get("_NAME").isnil()) {
                mod.set("_M", mod);
                mod.set("_NAME", name);
                mod.set("_PACKAGE", name.substring(0, name.lastIndexOf('.') + 1));
            }
            if (!(state.tracker.functionAt(1) instanceof LuaClosure caller)) {
                throw new LuaError("'module' not called from a Lua function");
            }
            state.setEnv(caller, mod);
            for (int i = 2; i <= args.narg(); i++) {
                args.arg(i).call(mod);
            }
            return NONE;
        }

        /** luaL_findtable: walks "a.b.c" from t, creating missing tables; null on a non-table in the way. */
        private LuaValue findTable(LuaValue t, String dotted) {
            for (String part : dotted.split("\\.", -1)) {
                LuaValue next = t.rawget(part);
                if (next.isnil()) {
                    next = new LuaTable();
                    t.set(part, next);
                } else if (!next.istable()) {
                    return null;
                }
                t = next;
            }
            return t;
        }
    }

    final class seeall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable m = Arguments.checkTable(args, 1, "seeall");
            LuaValue mt = m.getmetatable();
            if (mt == null) {
                mt = new LuaTable();
                m.setmetatable(mt);
            }
            mt.set(INDEX, state.globalEnv);
            return NONE;
        }
    }
}
