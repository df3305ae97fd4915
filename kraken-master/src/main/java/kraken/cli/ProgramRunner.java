package kraken.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import kraken.config.IoErrors;
import kraken.protocol.Protocol.Step;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Runs the parts of a program as lua5.1 does (-e statements, -l libraries, the script with its
 * arg table and `...`), reporting the first error, and records each part for the workers. Every
 * method returns false when the part failed, after the error was reported.
 */
final class ProgramRunner {
    /** Under the C locale the JVM cannot name a file whose name is not ASCII. */
    private static final String UNMAPPABLE = "the name cannot be used in this locale (set LANG to a UTF-8 locale)";

    private final Globals globals;
    private final ProgramRecord record;
    private final ErrorReport report;
    private final InputStream stdin;

    ProgramRunner(Globals globals, ProgramRecord record, ErrorReport report, InputStream stdin) {
        this.globals = globals;
        this.record = record;
        this.report = report;
        this.stdin = stdin;
    }

    Globals globals() {
        return globals;
    }

    /** -e stat. */
    boolean statement(String code) {
        int mark = record.add(new Step(Step.Kind.STATEMENT, ArgvBytes.text(code)));
        return keep(mark, run(bytes(code), "=(command line)", LuaValue.NONE));
    }

    /**
     * LUA_INIT, run first as lua5.1 does: "@file" runs that file, anything else is a chunk. The
     * workers replay it as a statement.
     */
    boolean init(String luaInit) {
        if (!luaInit.startsWith("@")) {
            int mark = record.add(new Step(Step.Kind.STATEMENT, ArgvBytes.text(luaInit)));
            return keep(mark, run(bytes(luaInit), "=LUA_INIT", LuaValue.NONE));
        }
        String name = ArgvBytes.text(luaInit.substring(1));
        byte[] code = readFile(name);
        if (code == null) {
            return false;
        }
        int mark = record.add(new Step(Step.Kind.STATEMENT, new String(code, StandardCharsets.UTF_8)));
        return keep(mark, run(code, "@" + name, LuaValue.NONE));
    }

    /** -l name: require(name), its result unused. */
    boolean library(String name) {
        int mark = record.add(new Step(Step.Kind.LIBRARY, ArgvBytes.text(name)));
        LuaValue require = globals.get("require");
        return keep(mark, call(ErrorReport.PROGRAM, () -> require.call(LuaString.valueOf(bytes(name)))) != null);
    }

    /** The script, with the global arg (set only now, as lua5.1 does) and its arguments as `...`. */
    boolean script(Invocation inv) {
        List<String> argv = new ArrayList<>();
        argv.add(ErrorReport.PROGRAM);
        argv.addAll(inv.argv());
        int base = -(inv.script() + 1);
        LuaTable arg = new LuaTable();
        List<String> argText = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            arg.rawset(base + i, LuaString.valueOf(bytes(argv.get(i))));
            argText.add(ArgvBytes.text(argv.get(i)));
        }
        globals.set("arg", arg);
        List<String> rest = inv.scriptArgs();
        LuaValue[] args = new LuaValue[rest.size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = LuaString.valueOf(bytes(rest.get(i)));
        }
        String name = ArgvBytes.text(inv.scriptName());
        if (inv.scriptFromStdin()) {
            record.setScript(name, argText, base, null);
            return stdinProgram(LuaValue.varargsOf(args));
        }
        record.setScript(name, argText, base, folderOf(inv.scriptName()));
        byte[] code = readFile(name);
        if (code == null) {
            return false;
        }
        int mark = record.add(new Step(Step.Kind.SCRIPT_FILE, name));
        return keep(mark, run(code, "@" + name, LuaValue.varargsOf(args)));
    }

    /** The program read from standard input (`-`, or no script and no terminal). */
    boolean stdinProgram(Varargs args) {
        byte[] code;
        try {
            code = stdin.readAllBytes();
        } catch (IOException e) {
            report.message("cannot read stdin: " + IoErrors.reason(e));
            return false;
        }
        int mark = record.add(new Step(Step.Kind.SCRIPT_SOURCE, new String(code, StandardCharsets.ISO_8859_1)));
        return keep(mark, run(code, "=stdin", args));
    }

    /** The file's bytes, or null after reporting why it cannot be read. */
    private byte[] readFile(String name) {
        try {
            return Files.readAllBytes(Path.of(name));
        } catch (IOException e) {
            report.message("cannot open " + name + ": " + IoErrors.reason(e));
        } catch (InvalidPathException e) {
            report.message("cannot open " + name + ": " + UNMAPPABLE);
        }
        return null;
    }

    private boolean keep(int mark, boolean ok) {
        if (!ok) {
            record.dropFrom(mark);
        }
        return ok;
    }

    private boolean run(byte[] code, String chunkName, Varargs args) {
        LuaValue f = compile(code, chunkName, ErrorReport.PROGRAM);
        return f != null && call(ErrorReport.PROGRAM, () -> f.invoke(args)) != null;
    }

    /** The chunk as a function, or null after reporting its syntax error. */
    LuaValue compile(byte[] code, String chunkName, String program) {
        try {
            return globals.load(new ByteArrayInputStream(code), chunkName, "bt", globals);
        } catch (LuaError e) {
            report.load(program, e);
            return null;
        }
    }

    /** Runs body; its results, or null after reporting the error it raised. */
    Varargs call(String program, Supplier<Varargs> body) {
        LuaThread main = globals.running;
        LuaValue previous = main.errorfunc;
        // Without a DebugLib there are no frames to note, and LuaJ then gives a nil error value to
        // an error function as a Java null: leave the thread as it is.
        TracebackNote note = globals.debuglib != null ? new TracebackNote(globals, previous) : null;
        if (note != null) {
            main.errorfunc = note;
        }
        try {
            return body.get();
        } catch (LuaError e) {
            report.runtime(program, e, note != null ? note.traceback() : null);
        } catch (StackOverflowError e) {
            report.message("stack overflow");
        } catch (OutOfMemoryError e) {
            report.message("not enough memory");
        } catch (RuntimeException e) {
            report.message("internal error: " + e);
        } finally {
            main.errorfunc = previous;
        }
        return null;
    }

    /** The folder of a script named by these bytes; null when the JVM cannot represent the name. */
    static Path folderOf(String scriptName) {
        try {
            return Path.of(ArgvBytes.text(scriptName)).toAbsolutePath().getParent();
        } catch (InvalidPathException e) {
            return null;
        }
    }

    static byte[] bytes(String byteString) {
        return byteString.getBytes(StandardCharsets.ISO_8859_1);
    }
}
