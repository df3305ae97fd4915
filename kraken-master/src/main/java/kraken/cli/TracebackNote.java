package kraken.cli;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;

/**
 * The main thread's error function while the program runs: it notes the traceback where an error
 * is raised, because LuaJ records frames only while a DebugLib is installed (the Lua 5.1 library
 * installs one) and they are gone once the error reaches Java. The message itself is left to the
 * error function that was there before.
 */
final class TracebackNote extends OneArgFunction {
    private final Globals globals;
    private final LuaValue previous;
    private String traceback;

    TracebackNote(Globals globals, LuaValue previous) {
        this.globals = globals;
        this.previous = previous;
    }

    @Override
    public LuaValue call(LuaValue message) {
        LuaValue m = previous != null ? previous.call(message) : message;
        traceback = globals.debuglib != null ? globals.debuglib.traceback(1) : null;
        return m;
    }

    /** The traceback of the last error raised, or null when none could be made. */
    String traceback() {
        return traceback;
    }
}
