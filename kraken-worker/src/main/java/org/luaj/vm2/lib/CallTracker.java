package org.luaj.vm2.lib;

import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
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
            hookedInstruction(t.state, pc, v, top);
            return;
        }
        CallStack cs = (CallStack) t.callstack;
        if (cs != null && cs.calls > 0) {
            cs.frame[cs.calls - 1].pc = pc;
        }
    }

    private static final LuaValue LINE_EVENT = LuaValue.valueOf("line");
    private static final LuaValue COUNT_EVENT = LuaValue.valueOf("count");
    /** Set when a Lua function is entered: its first instruction is a new line for the line hook. */
    private boolean entered;

    /**
     * An instruction while a hook is set, with 5.1's line events (ldebug.c's traceexec): a line
     * event when a function starts, when the line changes, and on a jump backwards (each turn of
     * a loop), judged within the running function. LuaJ compares with the last line seen by the
     * thread, in whatever function, and misses loops on one line.
     */
    private void hookedInstruction(LuaThread.State s, int pc, Varargs v, int top) {
        if (s.inhook) {
            return;
        }
        CallStack cs = callstack();
        CallFrame frame = cs.calls > 0 ? cs.frame[cs.calls - 1] : null;
        int oldpc = frame != null ? frame.pc : -1;
        boolean fresh = entered;
        entered = false;
        cs.onInstruction(pc, v, top);
        if (s.hookcount > 0 && ++s.bytecodes % s.hookcount == 0) {
            callHook(s, COUNT_EVENT, NIL);
        }
        if (s.hookline && frame != null && frame.f != null && frame.f.isclosure()) {
            int[] lines = frame.f.checkclosure().p.lineinfo;
            if (lines != null && pc < lines.length) {
                int line = lines[pc];
                if (fresh || pc <= oldpc || oldpc < 0 || oldpc >= lines.length || lines[oldpc] != line) {
                    s.lastline = line;
                    callHook(s, LINE_EVENT, LuaValue.valueOf(line));
                }
            }
        }
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
        LuaThread running = globals.running;
        if (running.state.hookfunc != null && !running.state.inhook) {
            entered = true;  // (a hook function's own calls are not traced)
        }
        // Without an error function LuaJ appends a traceback to every error message once a
        // DebugLib is installed; threads created anywhere (coroutines, the kraken library) get one here.
        LuaThread t = globals.running;
        if (t.errorfunc == null) {
            t.errorfunc = errorHandler;
        }
        super.onCall(c, varargs, stack);
    }

    /** How many calls the running thread's stack holds. */
    public int depth() {
        return callstack().calls;
    }

    /**
     * Drops frames above a depth. A stack overflow can strike between LuaJ's push of a frame and
     * the try block whose finally pops it; a protected call that catches one restores its depth.
     */
    public void unwindTo(int depth) {
        CallStack cs = callstack();
        while (cs.calls > depth) {
            cs.onReturn();
        }
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

    /**
     * 5.1's description of the value the current instruction of the function at a stack level
     * failed on, as in "attempt to index local 'x' (a nil value)": " local 'x'", " global 'x'",
     * " field 'x'", " upvalue 'x'", " method 'x'", or "" when unknown.
     *
     * @param operand for arithmetic, 1 or 2: which operand was not a number
     */
    public String varInfo(int level, int operand) {
        CallFrame f = callstack().getCallFrame(level);
        if (f == null || !f.f.isclosure()) {
            return "";
        }
        Prototype p = f.f.checkclosure().p;
        if (f.pc < 0 || f.pc >= p.code.length) {
            return "";
        }
        int i = p.code[f.pc];
        int reg;
        switch (Lua.GET_OPCODE(i)) {
            case Lua.OP_GETTABLE, Lua.OP_SELF, Lua.OP_UNM, Lua.OP_LEN -> reg = Lua.GETARG_B(i);
            case Lua.OP_SETTABLE, Lua.OP_CALL, Lua.OP_TAILCALL -> reg = Lua.GETARG_A(i);
            case Lua.OP_ADD, Lua.OP_SUB, Lua.OP_MUL, Lua.OP_DIV, Lua.OP_MOD, Lua.OP_POW -> {
                reg = operand == 1 ? Lua.GETARG_B(i) : Lua.GETARG_C(i);
                if (Lua.ISK(reg)) {
                    return "";
                }
            }
            case Lua.OP_CONCAT -> {
                // Only a two-operand concatenation says which register failed.
                if (Lua.GETARG_C(i) != Lua.GETARG_B(i) + 1) {
                    return "";
                }
                reg = operand == 1 ? Lua.GETARG_B(i) : Lua.GETARG_C(i);
            }
            case Lua.OP_GETTABUP, Lua.OP_SETTABUP -> {
                int up = Lua.GET_OPCODE(i) == Lua.OP_GETTABUP ? Lua.GETARG_B(i) : Lua.GETARG_A(i);
                return up < p.upvalues.length ? " upvalue '" + p.upvalues[up].name + "'" : "";
            }
            default -> {
                return "";
            }
        }
        NameWhat nw = getobjname(p, f.pc, reg);
        return nw == null ? "" : " " + nw.namewhat + " '" + nw.name + "'";
    }

    /**
     * Empties the registers a collection must not see as live: in the Lua function at level 1,
     * those above the function register of the call it is making (its arguments, already taken
     * by the callee, and the leftovers of finished blocks). 5.1 marks a frame's stack only up to
     * its top; LuaJ's register array keeps the last value of every dead local, so the object a
     * loop made last would survive collectgarbage() in a weak table.
     */
    public void clearDeadRegisters() {
        CallFrame f = callstack().getCallFrame(1);
        if (f == null || f.stack == null || f.f == null || !f.f.isclosure()) {
            return;
        }
        Prototype p = f.f.checkclosure().p;
        if (f.pc < 0 || f.pc >= p.code.length || Lua.GET_OPCODE(p.code[f.pc]) != Lua.OP_CALL) {
            return;
        }
        java.util.Arrays.fill(f.stack, Math.min(f.stack.length, Lua.GETARG_A(p.code[f.pc]) + 1), f.stack.length, LuaValue.NIL);
    }
}
