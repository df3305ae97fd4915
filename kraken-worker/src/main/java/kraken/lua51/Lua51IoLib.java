package kraken.lua51;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.function.Consumer;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The io library of Lua 5.1 (liolib.c), replacing LuaJ's: files are read to the real end of their
 * data (/proc files and pipes have no length), "*a" never returns nil, io.popen runs its command
 * through /bin/sh -c, failures return nil, "name: strerror", errno, and write returns true.
 * Files are userdata with 5.1's methods ({@link LuaFile} does the buffering).
 */
final class Lua51IoLib extends TwoArgFunction {
    private final Consumer<Runnable> onOpen;
    private Globals globals;
    private final LuaTable methods = new LuaTable();
    private final LuaTable meta = new LuaTable();
    private LuaValue stdin;
    private LuaValue stdout;
    private LuaValue input;
    private LuaValue output;

    /** @param onOpen told of every file the library opens, with a way to close it (Kraken closes them after a connection) */
    Lua51IoLib(Consumer<Runnable> onOpen) {
        this.onOpen = onOpen;
    }

    static {
        // Loaded with the library, not at the first failure: a script that runs out of descriptors
        // must still get "Too many open files", and loading a class may need a descriptor of its
        // own. Once per JVM: a "state" worker builds the library for every connection.
        Errno.number(Errno.text(new IOException("Too many open files")));
    }

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        globals = env.checkglobals();
        LuaTable io = new LuaTable();
        io.set("close", new close());
        io.set("flush", new flush(true));
        io.set("input", new iofile(true));
        io.set("output", new iofile(false));
        io.set("lines", new lines(true));
        io.set("open", new open());
        io.set("popen", new popen());
        io.set("read", new read(true));
        io.set("tmpfile", new tmpfile());
        io.set("type", new type());
        io.set("write", new write(true));
        methods.set("close", new close());
        methods.set("flush", new flush(false));
        methods.set("lines", new lines(false));
        methods.set("read", new read(false));
        methods.set("seek", new seek());
        methods.set("setvbuf", new setvbuf());
        methods.set("write", new write(false));
        meta.set(INDEX, methods);
        meta.set(TOSTRING, new tostring());
        meta.set("__gc", new gc());
        stdin = wrap(LuaFile.ofStreams(new LuaFiles.StandardInput(globals), null, true, null));
        stdout = wrap(LuaFile.ofStreams(null, new LuaFiles.StandardOutput(globals, false), true, null));
        input = stdin;
        output = stdout;
        io.set("stdin", stdin);
        io.set("stdout", stdout);
        io.set("stderr", wrap(LuaFile.ofStreams(null, new LuaFiles.StandardOutput(globals, true), true, null)));
        env.set("io", io);
        env.get("package").get("loaded").set("io", io);
        return io;
    }

    /** Whether a value is a file of this library (what an image of the state cannot copy). */
    static boolean isFile(LuaValue v) {
        return fileOf(v) != null;
    }

    private LuaValue wrap(LuaFile f) {
        return new LuaUserdata(f, meta);
    }

    private LuaValue tracked(LuaFile f) {
        if (onOpen != null) {
            onOpen.accept(() -> {
                if (f.hasRunningChild()) {
                    // pclose would wait for the child; its pipe is left open instead, so that the
                    // worker, which a running child outlives a connection in, is seen as unclean.
                    return;
                }
                try {
                    f.close();
                } catch (IOException e) {
                    // Closed as far as it can be.
                }
            });
        }
        return wrap(f);
    }

    private static LuaFile fileOf(LuaValue v) {
        return v instanceof LuaUserdata u && u.m_instance instanceof LuaFile f ? f : null;
    }

    /** liolib's tofile: an open file as the first argument. */
    private static LuaFile checkFile(Varargs args, String name) {
        LuaFile f = fileOf(args.arg1());
        if (f == null) {
            throw Arguments.error(1, name, "FILE* expected, got " + Arguments.typeName(args, 1));
        }
        return open(f);
    }

    private static LuaFile open(LuaFile f) {
        if (f.isClosed()) {
            throw new LuaError("attempt to use a closed file");
        }
        return f;
    }

    /** liolib's getiofile: the default input or output, which must be open. */
    private static LuaFile standard(LuaValue file, String which) {
        LuaFile f = fileOf(file);
        if (f.isClosed()) {
            throw new LuaError("standard " + which + " file is closed");
        }
        return f;
    }

    private static String fileName(LuaValue v) {
        return new String(Lua51Strings.bytes(v), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Runs a read or write, turning channel misuse into C's EBADF. */
    private interface FileOp {
        Varargs run() throws IOException;
    }

    private static Varargs attempt(FileOp op) {
        try {
            return op.run();
        } catch (IOException e) {
            return Errno.result(null, e);
        }
    }

    // ---- io functions

    final class open extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String filename = new String(Lua51Strings.check(args, 1, "open"), java.nio.charset.StandardCharsets.UTF_8);
            String mode = args.isnil(2) ? "r" : new String(Lua51Strings.check(args, 2, "open"), java.nio.charset.StandardCharsets.ISO_8859_1);
            try {
                return tracked(LuaFiles.open(filename, mode));
            } catch (IOException e) {
                return Errno.result(filename, e);
            }
        }
    }

    final class popen extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String command = new String(Lua51Strings.check(args, 1, "popen"), java.nio.charset.StandardCharsets.UTF_8);
            String mode = args.isnil(2) ? "r" : args.checkjstring(2);
            if (!mode.equals("r") && !mode.equals("w")) {
                return Errno.result(command, "Invalid argument");
            }
            globals.STDOUT.flush();
            ProcessBuilder pb = Shell.builder(command);
            if (mode.equals("r")) {
                pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            }
            try {
                Process p = pb.start();
                LuaFile f = mode.equals("r")
                        ? LuaFile.ofStreams(p.getInputStream(), null, false, Shell.closer(p))
                        : LuaFile.ofStreams(null, p.getOutputStream(), false, Shell.closer(p));
                return tracked(f);
            } catch (IOException e) {
                return Errno.result(command, e);
            }
        }
    }

    final class tmpfile extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            try {
                File f = File.createTempFile("lua_", null);
                RandomAccessFile raf = new RandomAccessFile(f, "rw");
                f.delete();
                return tracked(LuaFile.ofFile(raf, true, true, false));
            } catch (IOException e) {
                return Errno.result(null, e);
            }
        }
    }

    static final class type extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = fileOf(Arguments.checkAny(args, 1, "type"));
            return f == null ? NIL : valueOf(f.isClosed() ? "closed file" : "file");
        }
    }

    /** io.input and io.output: the default file, set from a file or a name opened for reading or writing. */
    final class iofile extends VarArgFunction {
        private final boolean isInput;

        iofile(boolean isInput) {
            this.isInput = isInput;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue v = args.arg1();
            if (!v.isnil()) {
                LuaValue chosen;
                if (v.type() == TSTRING || v.type() == TNUMBER) {
                    String filename = fileName(v);
                    try {
                        chosen = tracked(LuaFiles.open(filename, isInput ? "r" : "w"));
                    } catch (IOException e) {
                        throw Arguments.error(1, isInput ? "input" : "output", filename + ": " + Errno.text(e));
                    }
                } else {
                    checkFile(args, isInput ? "input" : "output");
                    chosen = v;
                }
                if (isInput) {
                    input = chosen;
                } else {
                    output = chosen;
                }
            }
            return isInput ? input : output;
        }
    }

    final class close extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = args.isnil(1) ? open(fileOf(output)) : checkFile(args, "close");
            if (f.isStandard()) {
                return varargsOf(NIL, valueOf("cannot close standard file"));
            }
            return attempt(() -> {
                f.close();
                return TRUE;
            });
        }
    }

    final class flush extends VarArgFunction {
        private final boolean io;

        flush(boolean io) {
            this.io = io;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = io ? open(fileOf(output)) : checkFile(args, "flush");
            return attempt(() -> {
                f.flush();
                return TRUE;
            });
        }
    }

    final class lines extends VarArgFunction {
        private final boolean io;

        lines(boolean io) {
            this.io = io;
        }

        @Override
        public Varargs invoke(Varargs args) {
            if (!io) {
                return ReadFormats.lines(checkFile(args, "lines"), false);
            }
            if (args.isnil(1)) {
                return ReadFormats.lines(standard(input, "input"), false);
            }
            String filename = new String(Lua51Strings.check(args, 1, "lines"), java.nio.charset.StandardCharsets.UTF_8);
            try {
                LuaFile f = LuaFiles.open(filename, "r");
                tracked(f);
                return ReadFormats.lines(f, true);
            } catch (IOException e) {
                throw Arguments.error(1, "lines", filename + ": " + Errno.text(e));
            }
        }
    }

    /** io.read and file:read (g_read): formats "*n", "*l", "*a" and counts; stops at the first that fails. */
    final class read extends VarArgFunction {
        private final boolean io;

        read(boolean io) {
            this.io = io;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = io ? standard(input, "input") : checkFile(args, "read");
            Varargs formats = io ? args : args.subargs(2);
            if (f == fileOf(stdin)) {
                // As C's stdio does for a terminal: what was written so far is out before we wait.
                globals.STDOUT.flush();
            }
            return attempt(() -> ReadFormats.read(f, formats));
        }
    }

    /** io.write and file:write: strings, and numbers as 5.1's "%.14g"; true on success. */
    final class write extends VarArgFunction {
        private final boolean io;

        write(boolean io) {
            this.io = io;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = io ? standard(output, "output") : checkFile(args, "write");
            Varargs values = io ? args : args.subargs(2);
            byte[][] parts = new byte[values.narg()][];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = Lua51Strings.check(values, i + 1, "write");
            }
            return attempt(() -> {
                for (byte[] b : parts) {
                    f.write(b);
                }
                return TRUE;
            });
        }
    }

    static final class seek extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = checkFile(args, "seek");
            String whence = args.isnil(2) ? "cur" : args.checkjstring(2);
            if (!whence.equals("set") && !whence.equals("cur") && !whence.equals("end")) {
                throw Arguments.error(1, "seek", "invalid option '" + whence + "'");
            }
            long offset = Lua51Strings.optInt(args, 3, "seek", 0);
            return attempt(() -> valueOf((double) f.seek(whence, offset)));
        }
    }

    static final class setvbuf extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = checkFile(args, "setvbuf");
            String mode = args.checkjstring(2);
            LuaFile.Buffering b = switch (mode) {
                case "no" -> LuaFile.Buffering.NO;
                case "line" -> LuaFile.Buffering.LINE;
                case "full" -> LuaFile.Buffering.FULL;
                default -> throw Arguments.error(1, "setvbuf", "invalid option '" + mode + "'");
            };
            return attempt(() -> {
                f.setBuffering(b);
                return TRUE;
            });
        }
    }

    /** 5.1's io_gc: closes a file that is not a standard one (LuaJ calls it only when a script does). */
    static final class gc extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = fileOf(args.arg1());
            if (f == null) {
                throw Arguments.error(1, "__gc", "FILE* expected, got " + Arguments.typeName(args, 1));
            }
            if (!f.isStandard()) {
                try {
                    f.close();
                } catch (IOException e) {
                    // As fclose's failure in io_gc: ignored.
                }
            }
            return NONE;
        }
    }

    static final class tostring extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaFile f = fileOf(args.arg1());
            return valueOf(f == null || f.isClosed() ? "file (closed)"
                    : String.format("file (0x%08x)", System.identityHashCode(f)));
        }
    }
}
