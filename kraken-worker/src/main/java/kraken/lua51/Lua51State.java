package kraken.lua51;

import java.util.Map;
import java.util.WeakHashMap;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.CallTracker;

/**
 * What the 5.1 libraries of one Lua state share: the globals, the {@link CallTracker} that gives
 * stack levels, and 5.1's function environments.
 *
 * A 5.1 function environment is, in LuaJ, the closure's _ENV upvalue, which the closures a
 * function creates share with it. setEnv therefore gives the target closure a new upvalue of
 * its own: the function and the closures it creates from then on see the new table, closures
 * created before keep the old one, as in 5.1.
 */
final class Lua51State {
    private static final LuaString ENV = LuaValue.valueOf("_ENV");

    final Globals globals;
    final CallTracker tracker;
    final boolean sandbox;
    /** The thread's global table in 5.1's sense: what setfenv(0, t) changes and loadstring uses. */
    LuaValue globalEnv;
    /** Environments set on closures that use no global, so have no _ENV upvalue to hold one. */
    private final Map<LuaValue, LuaValue> orphanEnvs = new WeakHashMap<>();

    Lua51State(Globals globals, CallTracker tracker, boolean sandbox) {
        this.globals = globals;
        this.tracker = tracker;
        this.sandbox = sandbox;
        this.globalEnv = globals;
    }

    /** 5.1's luaL_where: "chunk:line: " for the Lua function at a stack level, else "". */
    String where(int level) {
        LuaFunction f = tracker.functionAt(level);
        int line = tracker.lineAt(level);
        if (f instanceof LuaClosure c && line > 0) {
            return ErrorMessages.chunkId(c.p.source) + ":" + line + ": ";
        }
        return "";
    }

    /**
     * The function that getfenv/setfenv's first argument names: a function, or a stack level
     * (1 = the caller). Null for level 0, the thread's global environment.
     */
    LuaValue functionOrLevel(Varargs args, String name, boolean levelOptional) {
        LuaValue f = args.arg1();
        if (f.isfunction()) {
            return f;
        }
        if (!f.isnil() && !f.isnumber() || f.isnil() && !levelOptional) {
            throw Arguments.error(1, name, "number expected, got " + Arguments.typeName(args, 1));
        }
        int level = f.isnil() ? 1 : f.toint();
        if (level < 0) {
            throw Arguments.error(1, name, "level must be non-negative");
        }
        if (level == 0) {
            return null;
        }
        LuaFunction fn = tracker.functionAt(level);
        if (fn == null) {
            throw Arguments.error(1, name, "invalid level");
        }
        return fn;
    }

    private static int envUpvalue(LuaClosure c) {
        for (int i = 0; i < c.p.upvalues.length && i < c.upValues.length; i++) {
            if (ENV.eq_b(c.p.upvalues[i].name)) {
                return i;
            }
        }
        return -1;
    }

    LuaValue envOf(LuaValue f) {
        if (f instanceof LuaClosure c) {
            int i = envUpvalue(c);
            if (i >= 0) {
                return c.upValues[i].getValue();
            }
            LuaValue env = orphanEnvs.get(c);
            return env != null ? env : globalEnv;
        }
        return globalEnv;
    }

    void setEnv(LuaClosure c, LuaValue env) {
        int i = envUpvalue(c);
        if (i >= 0) {
            c.upValues[i] = new UpValue(new LuaValue[] {env}, 0);
        } else {
            orphanEnvs.put(c, env);
        }
    }
}
