package kraken.lua51;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * load(reader [, chunkname]) as 5.1's lua_load: the reader is called only as the lexer needs
 * more text (LuaJ's buffered stream called it until 128 bytes or the end, before compiling), a
 * chunk is binary when its first byte is the signature's, and an error raised by the reader is
 * load's message, unchanged. A string is accepted as well (5.2's load), with 5.2's mode and
 * environment arguments; the sandbox loads text only.
 */
final class Lua51Load extends VarArgFunction {
    private final Lua51State state;

    Lua51Load(Lua51State state) {
        this.state = state;
    }

    @Override
    public Varargs invoke(Varargs args) {
        LuaValue ld = args.arg1();
        if (!ld.isfunction() && ld.type() != TSTRING) {
            throw Arguments.error(1, "load", "function expected, got " + Arguments.typeName(args, 1));
        }
        String chunkname = args.isnil(2) ? (ld.isfunction() ? "=(load)" : ld.tojstring()) : args.checkjstring(2);
        String mode = args.isnil(3) ? "bt" : args.checkjstring(3);
        return load(ld, chunkname, mode, args.isnil(4) ? state.globalEnv : args.arg(4));
    }

    /** Compiles or undumps a chunk from a string or a reader function; the function or nil, message. */
    Varargs load(LuaValue ld, String chunkname, String mode, LuaValue env) {
        if (state.sandbox) {
            mode = "t";
        }
        Reader in = new Reader(ld);
        try {
            int first = in.peek();
            boolean binary = first == 27;
            if (binary && mode.indexOf('b') < 0 || !binary && mode.indexOf('t') < 0) {
                return varargsOf(NIL, valueOf(binary && state.sandbox ? "binary chunks are not allowed in the sandbox"
                        : "attempt to load a " + (binary ? "binary" : "text") + " chunk (mode is '" + mode + "')"));
            }
            Prototype p = binary ? state.globals.loadPrototype(in, chunkname, "b")
                    : state.globals.compilePrototype(in, chunkname);
            LuaFunction f = state.globals.loader.load(p, chunkname, state.globals);
            if (f instanceof LuaClosure c) {
                if (binary) {
                    freshUpvalues(c);
                }
                if (env != state.globals) {
                    state.setEnv(c, env);
                }
            }
            return f;
        } catch (ReaderFailed e) {
            return varargsOf(NIL, e.message);
        } catch (LuaError e) {
            return varargsOf(NIL, valueOf(ErrorMessages.rewordSyntaxError(e.getMessage())));
        } catch (IOException | RuntimeException e) {
            return varargsOf(NIL, valueOf(String.valueOf(e.getMessage())));
        }
    }

    /**
     * An undumped 5.1 function starts with its upvalues nil; LuaJ gives its first one the globals
     * (a 5.2 main chunk's _ENV) and leaves the others unset. string.dump keeps the names
     * (Lua51StringLib), so only an upvalue really named _ENV gets the globals.
     */
    private static void freshUpvalues(LuaClosure c) {
        for (int i = 0; i < c.upValues.length && i < c.p.upvalues.length; i++) {
            LuaValue name = c.p.upvalues[i].name;
            boolean env = name == null ? i == 0 : "_ENV".equals(name.tojstring());
            if (!env || c.upValues[i] == null) {
                c.upValues[i] = new UpValue(new LuaValue[] {NIL}, 0);
            }
        }
    }

    /** An error raised by the reader function, carried through the compiler. */
    private static final class ReaderFailed extends RuntimeException {
        final LuaValue message;

        ReaderFailed(LuaValue message) {
            super(null, null, false, false);
            this.message = message;
        }
    }

    /** The chunk's bytes: a string's, or the pieces a reader function returns, one call at a time. */
    private static final class Reader extends InputStream {
        private final LuaValue reader;
        private ByteArrayInputStream piece;
        private boolean ended;
        private int pushedBack = -1;

        Reader(LuaValue ld) {
            this.reader = ld.isfunction() ? ld : null;
            this.piece = ld.isfunction() ? null : new ByteArrayInputStream(Lua51Strings.bytes(ld));
            this.ended = !ld.isfunction();
        }

        private boolean next() {
            if (ended) {
                return false;
            }
            LuaValue s;
            try {
                s = reader.call();
            } catch (LuaError e) {
                throw new ReaderFailed(Lua51BaseLib.messageOf(e));
            }
            if (s.isnil()) {
                ended = true;
                return false;
            }
            if (s.type() != TSTRING && s.type() != TNUMBER) {
                throw new ReaderFailed(valueOf("reader function must return a string"));
            }
            byte[] b = Lua51Strings.bytes(s);
            if (b.length == 0) {
                ended = true;
                return false;
            }
            piece = new ByteArrayInputStream(b);
            return true;
        }

        @Override
        public int read() {
            if (pushedBack >= 0) {
                int c = pushedBack;
                pushedBack = -1;
                return c;
            }
            while (true) {
                int c = piece == null ? -1 : piece.read();
                if (c >= 0 || !next()) {
                    return c;
                }
            }
        }

        int peek() {
            pushedBack = read();
            return pushedBack;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
