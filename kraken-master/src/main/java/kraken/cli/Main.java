package kraken.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import kraken.config.ConfigException;
import kraken.config.ConfigLoader;
import kraken.config.ConfigSource;
import kraken.lua.module.LoopHandler;
import kraken.lua.runtime.LuaRuntime;
import kraken.lua.module.Registry;
import kraken.lua51.LineAtomicStream;
import kraken.posix.ThisProcess;
import kraken.settings.Settings;
import kraken.master.ScriptProcess;
import kraken.posix.Posix;
import org.apache.commons.cli.ParseException;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;

/**
 * The kraken command (docs/command.md): `kraken [options] [script [args]]`, which behaves like
 * lua5.1 with the kraken module loaded, reads the configuration first, and exits 0 on success
 * and 1 on any error.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // One write per line (LineAtomicStream): what the script prints never interleaves with
        // another process's output. Text the command itself prints is UTF-8, whatever the locale.
        PrintStream out = new PrintStream(new LineAtomicStream(
                new BrokenPipeExit(new FileOutputStream(FileDescriptor.out))), false, StandardCharsets.UTF_8);
        System.setOut(out);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int status;
        try {
            status = run(ArgvBytes.of(args), System.in, out, err);
        } catch (Throwable t) {
            err.println(ErrorReport.PROGRAM + ": internal error: " + t);
            t.printStackTrace(err);
            status = 1;
        }
        exit(status);
    }

    // The master's other threads (LuaJ coroutines, the dispatcher) must not keep the JVM alive.
    static void exit(int status) {
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    static int run(String[] argv, InputStream stdin, PrintStream out, PrintStream err) throws Exception {
        ErrorReport report = new ErrorReport(err);
        if (StatusCommand.matches(argv)) {
            return StatusCommand.run(argv, out, report);
        }
        Invocation inv;
        try {
            inv = Invocation.parse(argv);
        } catch (ParseException e) {
            report.message(e.getMessage());
            Usage.print(err);
            return 1;
        }
        if (inv.help()) {
            Usage.print(out);
            return 0;
        }
        ConfigSource source;
        Settings settings;
        try {
            source = ConfigSource.resolve(inv.config() == null ? null : ArgvBytes.text(inv.config()),
                    System.getenv("KRAKEN_CONFIG"), ConfigSource.SYSTEM_FILE);
            settings = ConfigLoader.load(source);
        } catch (ConfigException e) {
            if (inv.version()) {
                report.plain(Usage.VERSION);
            }
            report.message(e.getMessage());
            return 1;
        }
        if (ScriptProcess.needed()) {
            // docs/processes.md: a root master runs the configuration and Kraken's code, never the
            // script; the script runs in a hardened process of its own, whose status is ours.
            return ScriptProcess.run(List.of(argv), settings, () -> ConfigLoader.load(source), err);
        }
        return runHere(inv, settings, () -> ConfigLoader.load(source), stdin, out, err,
                record -> new PlannedMasterLoop(settings, record, ScriptProcess.reloadsFor(List.of(argv), settings)));
    }

    /**
     * Runs the program in this JVM: in a master without privileges, or in the script process of a
     * root master (then loopHandler reports kraken.loop() to the master over the link).
     */
    static int runHere(Invocation inv, Settings settings, Callable<Settings> reload, InputStream stdin,
                       PrintStream out, PrintStream err, Function<ProgramRecord, LoopHandler> loopHandler)
            throws Exception {
        ErrorReport report = new ErrorReport(err);
        if (inv.version()) {
            report.plain(Usage.VERSION);
        }
        ProgramRecord record = new ProgramRecord(reload);
        LoopHandler loop = inv.check() ? new CheckLoop(settings, out, err, Main::exit) : loopHandler.apply(record);
        Path scriptDir = inv.hasScript() && !inv.scriptFromStdin() ? ProgramRunner.folderOf(inv.scriptName()) : null;
        Globals globals = LuaRuntime.create(settings, new Registry(), loop, scriptDir);
        if (loop instanceof LinkLoop link) {
            link.attach(globals);
        } else if (loop instanceof PlannedMasterLoop planned) {
            planned.attach(globals);
        }
        // LuaJ leaves io.stdin unconnected; the REPL and the script must share one buffered stream.
        globals.STDIN = stdin;
        ProgramRunner runner = new ProgramRunner(globals, record, report, stdin);
        return runProgram(inv, runner, record, stdin, out, report) ? 0 : 1;
    }

    /** lua5.1's order: -e and -l as given, the script, then interactive mode or standard input. */
    private static boolean runProgram(Invocation inv, ProgramRunner runner, ProgramRecord record, InputStream stdin,
                                      PrintStream out, ErrorReport report) throws Exception {
        String luaInit = System.getenv("LUA_INIT");
        if (luaInit != null && !runner.init(ArgvBytes.fromText(luaInit))) {
            return false;
        }
        for (Invocation.Action a : inv.actions()) {
            if (!(a.library() ? runner.library(a.text()) : runner.statement(a.text()))) {
                return false;
            }
        }
        if (inv.hasScript() && !runner.script(inv)) {
            return false;
        }
        boolean tty = ThisProcess.isatty(0);
        if (inv.check()) {
            if (!inv.hasScript() && inv.actions().isEmpty() && !runner.stdinProgram(LuaValue.NONE)) {
                return false;
            }
            report.message("--check: the program ended without calling kraken.loop()");
            return false;
        }
        if (inv.interactive()) {
            new Repl(runner, record, stdin, out, report, !tty).run();
        } else if (!inv.hasScript() && inv.actions().isEmpty() && !inv.version()) {
            if (tty) {
                report.plain(Usage.VERSION);
                new Repl(runner, record, stdin, out, report, false).run();
            } else {
                return runner.stdinProgram(LuaValue.NONE);
            }
        }
        return true;
    }
}
