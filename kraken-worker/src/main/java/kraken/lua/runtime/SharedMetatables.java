package kraken.lua.runtime;

import org.luaj.vm2.LuaBoolean;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaNil;
import org.luaj.vm2.LuaNumber;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;

/**
 * LuaJ keeps the metatables of strings, numbers, booleans, nil, functions and threads in static
 * fields shared by every Lua state in the JVM. This class is the one place that knows them: a
 * new state starts from none (so one state's changes never reach the next), and code that
 * builds a state while another must live on saves and restores them.
 */
public final class SharedMetatables {
    private final LuaValue[] saved;

    private SharedMetatables(LuaValue[] saved) {
        this.saved = saved;
    }

    /** The metatables as they are now. */
    public static SharedMetatables save() {
        return new SharedMetatables(new LuaValue[] {LuaString.s_metatable, LuaNumber.s_metatable,
            LuaBoolean.s_metatable, LuaNil.s_metatable, LuaFunction.s_metatable, LuaThread.s_metatable});
    }

    /** The metatables as they are now, in the order of Libraries.ROOTS after the globals. */
    public static LuaValue[] current() {
        return save().saved.clone();
    }

    /** Installs these six (string, number, boolean, nil, function, thread): a copied state's. */
    public static void install(LuaValue[] m) {
        set(m.clone());
    }

    /** Puts back what save() saw. */
    public void restore() {
        set(saved);
    }

    /** No shared metatables: what a fresh state starts from (StringLib then installs its own). */
    static void reset() {
        set(new LuaValue[6]);
    }

    private static void set(LuaValue[] m) {
        LuaString.s_metatable = m[0];
        LuaNumber.s_metatable = m[1];
        LuaBoolean.s_metatable = m[2];
        LuaNil.s_metatable = m[3];
        LuaFunction.s_metatable = m[4];
        LuaThread.s_metatable = m[5];
    }
}
