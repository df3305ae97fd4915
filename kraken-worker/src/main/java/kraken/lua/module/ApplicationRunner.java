package kraken.lua.module;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Runs the registered application for one connection. docs/lua-api.md: the worker resumes the coroutine
 * with (socket, peer) and "resumes it again after every yield until it finishes", with no values.
 *
 * <p>LuaJ runs every coroutine on a Java thread of its own, created at its first resume, with two
 * thread hand-offs per resume: about 1 ms a connection, 25 times the cost of the connection's
 * Lua. Since the worker resumes at once and with nothing after each yield, the application's
 * body can run on the worker's own thread instead, as the running coroutine, with a yield from
 * the application itself returning at once with no values: the same program, without the
 * threads. Coroutines the application creates are LuaJ's own, unchanged.
 */
public final class ApplicationRunner {
    private LuaThread directlyRunning;

    /** The outcome of one connection: "ok", or "error: " and the application's error. */
    /**
     * The text of an uncaught error as lua5.1 reports it: the error value, which already carries
     * its position. LuaError.getMessage() prefixes LuaJ's own position again ("x.lua:3: x.lua:3: boom").
     */
    public static String errorText(LuaError e) {
        org.luaj.vm2.LuaValue m = e.getMessageObject();
        return m != null && !m.isnil() ? m.tojstring() : e.getMessage();
    }

    public String run(Globals g, LuaThread app, Varargs args) {
        if (app.state.status != LuaThread.STATUS_INITIAL) {
            return "error: the application coroutine was already started";
        }
        LuaThread caller = g.running;
        g.running = app;
        app.state.status = LuaThread.STATUS_RUNNING;
        directlyRunning = app;
        try {
            app.state.function.invoke(args);
            return "ok";
        } catch (LuaError e) {
            return "error: " + errorText(e);
        } catch (StackOverflowError e) {
            return "error: stack overflow";
        } finally {
            directlyRunning = null;
            app.state.status = LuaThread.STATUS_DEAD;
            g.running = caller;
        }
    }

    /**
     * coroutine.yield for a state: from the directly-run application it returns at once (the
     * worker would resume it at once with nothing); from any other coroutine it yields as usual.
     */
    public LuaValue yieldFunction(Globals g, LuaValue yield) {
        return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                if (directlyRunning != null && g.running == directlyRunning) {
                    return NONE;
                }
                return yield.invoke(args);
            }
        };
    }
}
