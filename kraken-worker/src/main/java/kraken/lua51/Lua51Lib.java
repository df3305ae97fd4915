package kraken.lua51;

import java.util.function.Consumer;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.CallTracker;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * The Lua 5.1 layer: loaded after LuaJ's standard libraries (a Lua 5.2), it completes or corrects
 * each of them so scripts written for lua5.1 run unchanged. One class per library, as LuaJ lays
 * out its own: {@link Lua51BaseLib}, {@link Lua51PackageLib}, {@link Lua51TableLib},
 * {@link Lua51MathLib}, {@link Lua51StringLib}, {@link Lua51IoLib}, {@link Lua51OsLib}, {@link Lua51Coroutines}.
 * What they share (stack levels, function environments) is a {@link Lua51State}. The table, math
 * and string libraries hold no state: {@link #completeStateless} completes them once per JVM
 * (kraken.lua.runtime.SharedLibraries), and {@link #installRandom} gives each state its generator.
 */
public final class Lua51Lib extends TwoArgFunction {
    private final boolean sandbox;
    private final CoroutineLimit coroutines;
    private Consumer<Runnable> onOpenFile;

    public Lua51Lib(boolean sandbox) {
        this(sandbox, new CoroutineLimit(Integer.MAX_VALUE));
    }

    public Lua51Lib(boolean sandbox, CoroutineLimit coroutines) {
        this.sandbox = sandbox;
        this.coroutines = coroutines;
    }

    /** @param hook told of every file and pipe io opens, with a way to close it */
    public Lua51Lib onOpenFile(Consumer<Runnable> hook) {
        this.onOpenFile = hook;
        return this;
    }

    /** Whether a value is a file of the 5.1 io library (io.open's, io.popen's, io.stdout...). */
    public static boolean isFile(LuaValue v) {
        return Lua51IoLib.isFile(v);
    }

    /**
     * Completes LuaJ's table, math and string libraries in env as 5.1's (math.random and
     * math.randomseed aside: installRandom's, one generator per state).
     */
    public static void completeStateless(LuaValue env) {
        env.load(new Lua51TableLib());
        env.load(new Lua51MathLib());
        env.load(new Lua51StringLib());
    }

    /** A state's own math.random and math.randomseed in math, as Lua51MathLib checks its arguments. */
    public static void installRandom(LuaValue math) {
        Lua51Random.install(math);
        Lua51MathLib.checked(math, "randomseed", 1);
    }

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        Globals globals = env.checkglobals();
        ErrorMessages messages = new ErrorMessages();
        CallTracker tracker = new CallTracker(messages);
        tracker.call(EMPTYSTRING, globals);
        messages.tracker = tracker;
        globals.running.errorfunc = messages;
        if (sandbox) {
            // Stack levels are needed in the sandbox too, but not the debug library itself.
            globals.set("debug", NIL);
            globals.get("package").get("loaded").set("debug", NIL);
        }
        Lua51State state = new Lua51State(globals, tracker, sandbox);
        globals.load(new Lua51BaseLib(state));
        globals.load(new Lua51PackageLib(state));
        if (!sandbox) {
            // The whole io library: LuaJ's has no part that behaves as 5.1's.
            globals.load(new Lua51IoLib(onOpenFile));
        }
        globals.load(new Lua51OsLib());
        WeakTables.install(globals);
        Lua51Collector.install(globals);
        Lua51Compiler.install(globals);
        VarargDump.install(globals);
        Lua51Debug.install(globals);
        new Lua51Coroutines(state, coroutines).install(globals.get("coroutine"));
        return env;
    }
}
