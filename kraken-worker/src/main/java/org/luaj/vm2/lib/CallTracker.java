package org.luaj.vm2.lib;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * LuaJ keeps a call stack only while a DebugLib is installed, and Lua 5.1's stack levels
 * (setfenv(1, t), module, error(msg, 2)) need one. DebugLib records each instruction through a
 * synchronized method, which makes a CPU-bound loop about 2.3 times slower; this subclass records
 * only the program counter, unsynchronized (a coroutine's Java thread hands over control through
 * LuaThread's monitors, which orders these writes). It lives in LuaJ's package because the frames
 * it writes are package-private there. Hooks set by debug.sethook still go through DebugLib.
 */
public final class CallTracker extends DebugLib {
    private final LuaValue errorHandler;

    /** @param errorHandler given to every Lua thread as its error function (see Lua51Lib) */
    public CallTracker(LuaValue errorHandler) {
        this.errorHandler = errorHandler;
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        LuaThread t = globals.running;
        if (t.state.hookfunc != null) {
            super.onInstruction(pc, v, top);
            return;
        }
        CallStack cs = (CallStack) t.callstack;
        if (cs != null && cs.calls > 0) {
            cs.frame[cs.calls - 1].pc = pc;
        }
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
        // Without an error function LuaJ appends a traceback to every error message once a
        // DebugLib is installed; threads created anywhere (coroutines, the kraken library) get one here.
        LuaThread t = globals.running;
        if (t.errorfunc == null) {
            t.errorfunc = errorHandler;
        }
        super.onCall(c, varargs, stack);
    }

    /** The function running at a stack level (1 = the Lua function calling the Java function asking), or null. */
    public LuaFunction functionAt(int level) {
        CallFrame f = callstack().getCallFrame(level);
        return f == null ? null : f.f;
    }

    /** The current line of the Lua function at a stack level, or -1 when unknown. */
    public int lineAt(int level) {
        CallFrame f = callstack().getCallFrame(level);
        return f == null ? -1 : f.currentline();
    }
}
