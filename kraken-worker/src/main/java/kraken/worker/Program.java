package kraken.worker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.List;
import kraken.protocol.Protocol;
import kraken.protocol.Protocol.Step;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;

/**
 * The master's program (its -e statements, -l libraries and script), compiled once and replayed
 * into each fresh Lua state, so that a "state" worker pays for parsing only at its start.
 */
final class Program {
    private final List<Step> steps;
    private final List<Prototype> compiled = new ArrayList<>();
    private final Protocol.Hello hello;

    /** Reads the script's bytes now: the worker may not be able to read the file after the privilege drop. */
    static byte[][] readSources(List<Step> steps) throws IOException {
        byte[][] sources = new byte[steps.size()][];
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            switch (s.kind()) {
                case SCRIPT_FILE -> sources[i] = readFile(s.text());
                case SCRIPT_SOURCE -> sources[i] = s.text().getBytes(StandardCharsets.ISO_8859_1);
                case STATEMENT -> sources[i] = s.text().getBytes(StandardCharsets.UTF_8);
                case LIBRARY -> sources[i] = null;
            }
        }
        return sources;
    }

    // java.io, not java.nio.file: NIO would load libnet into every worker and keep a socket open.
    private static byte[] readFile(String path) throws IOException {
        try (FileInputStream in = new FileInputStream(path)) {
            return in.readAllBytes();
        }
    }

    /** A bare state that only compiles: building a whole runtime for that would cost a start ~15 ms. */
    static Globals compiler() {
        Globals g = new Globals();
        LoadState.install(g);
        LuaC.install(g);
        return g;
    }

    Program(Protocol.Hello hello, byte[][] sources, Globals compiler) throws IOException {
        this.hello = hello;
        this.steps = hello.program();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            compiled.add(sources[i] == null ? null
                    : compiler.compilePrototype(new ByteArrayInputStream(sources[i]), chunkName(s)));
        }
    }

    private static String chunkName(Step s) {
        return switch (s.kind()) {
            case STATEMENT -> "=(command line)";
            case SCRIPT_FILE -> "@" + s.text();
            case SCRIPT_SOURCE -> "=stdin";
            case LIBRARY -> s.text();
        };
    }

    /** Runs the program in g; kraken.loop() ends the run by throwing LoopReached. */
    void run(Globals g) {
        LuaTable arg = new LuaTable();
        List<String> args = hello.argTable();
        for (int i = 0; i < args.size(); i++) {
            arg.set(hello.argBase() + i, LuaValue.valueOf(args.get(i)));
        }
        // As in lua5.1, "arg" exists only when there is a script.
        if (!args.isEmpty()) {
            g.set("arg", arg);
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.kind() == Step.Kind.LIBRARY) {
                g.get("require").call(s.text());
                continue;
            }
            LuaClosure chunk = new LuaClosure(compiled.get(i), g);
            if (s.kind() == Step.Kind.STATEMENT) {
                chunk.call();
            } else {
                chunk.invoke(scriptArgs(arg));
            }
        }
    }

    // The main chunk's "..." holds the script's arguments, arg[1] to arg[n].
    private static Varargs scriptArgs(LuaTable arg) {
        int n = arg.length();
        LuaValue[] v = new LuaValue[Math.max(n, 0)];
        for (int i = 1; i <= n; i++) {
            v[i - 1] = arg.get(i);
        }
        return LuaValue.varargsOf(v);
    }
}
