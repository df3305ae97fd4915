package kraken.lua51;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The coroutine functions whose 5.1 behaviour LuaJ 3.0.1 does not have: it turns a coroutine's
 * error into a string (error({code = 7}) arrives as "table: 1a2b"), coroutine.running() in the
 * main thread returns the main thread rather than nil, and wrap does not add its caller's
 * position to a string error.
 */
final class Lua51Coroutines {
    private final Lua51State state;
    private final CoroutineLimit limit;

    Lua51Coroutines(Lua51State state, CoroutineLimit limit) {
        this.state = state;
        this.limit = limit;
    }

    void install(LuaValue coroutine) {
        coroutine.set("create", new create());
        coroutine.set("resume", new resume());
        coroutine.set("wrap", new wrap());
        coroutine.set("running", new running(coroutine.get("running")));
        coroutine.set("yield", new yieldFromCoroutine(coroutine.get("yield")));
    }

    /** A coroutine's body: keeps the error value that LuaThread would reduce to its text. */
    static final class Body extends VarArgFunction {
        private final LuaValue f;
        LuaValue failure;

        Body(LuaValue f) {
            this.f = f;
        }

        /** The function the script gave coroutine.create (see CoroutineBodies). */
        LuaValue function() {
            return f;
        }

        @Override
        public Varargs invoke(Varargs args) {
            try {
                return f.invoke(args);
            } catch (LuaError | StackOverflowError e) {
                failure = Lua51BaseLib.messageOf(e);
                throw e;
            }
        }
    }

    LuaThread newThread(Varargs args, String name) {
        LuaValue f = args.arg1();
        if (!f.isfunction()) {
            throw Arguments.error(1, name, "function expected, got " + Arguments.typeName(args, 1));
        }
        limit.reserve();
        LuaThread t = new LuaThread(state.globals, new Body(f));
        limit.add(t);
        return t;
    }

    static Varargs resume(LuaThread t, Varargs args) {
        Varargs r = t.resume(args);
        if (!r.arg1().toboolean() && t.state.function instanceof Body b && b.failure != null) {
            LuaValue failure = b.failure;
            b.failure = null;
            return LuaValue.varargsOf(LuaValue.FALSE, failure);
        }
        return r;
    }

    final class create extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return newThread(args, "create");
        }
    }

    static final class resume extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (!args.arg1().isthread()) {
                throw Arguments.error(1, "resume", "coroutine expected");
            }
            return Lua51Coroutines.resume((LuaThread) args.arg1(), args.subargs(2));
        }
    }

    final class wrap extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaThread t = newThread(args, "wrap");
            return new VarArgFunction() {
                @Override
                public Varargs invoke(Varargs a) {
                    Varargs r = Lua51Coroutines.resume(t, a);
                    if (r.arg1().toboolean()) {
                        return r.subargs(2);
                    }
                    LuaValue e = r.arg(2);
                    if (e.type() == TSTRING || e.type() == TNUMBER) {
                        e = valueOf(state.where(1) + Lua51BaseLib.tostring.text(e));
                    }
                    throw new LuaError(e);
                }
            };
        }
    }

    final class running extends VarArgFunction {
        private final LuaValue running;

        running(LuaValue running) {
            this.running = running;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaThread t = state.globals.running;
            return t.isMainThread() ? NIL : running.invoke(args).arg1();
        }
    }

    /** coroutine.yield ("yield" is a restricted name in Java). */
    final class yieldFromCoroutine extends VarArgFunction {
        private final LuaValue yield;

        yieldFromCoroutine(LuaValue yield) {
            this.yield = yield;
        }

        @Override
        public Varargs invoke(Varargs args) {
            if (state.globals.running.isMainThread()) {
                throw new LuaError("attempt to yield across metamethod/C-call boundary");
            }
            return yield.invoke(args);
        }
    }
}
