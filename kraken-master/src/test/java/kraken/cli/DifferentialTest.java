package kraken.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import kraken.testing.KrakenProcess;
import kraken.testing.KrakenProcess.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same command lines under lua5.1 (the reference) and kraken must give the same standard
 * output and exit status, once the interpreter's name ("lua5.1" or "kraken") is set aside.
 */
@Tag("integration")
@Timeout(180)
class DifferentialTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String LUA = "lua5.1";

    @TempDir
    Path dir;

    @BeforeAll
    static void referenceInterpreterIsInstalled() throws Exception {
        boolean found = false;
        for (String p : System.getenv("PATH").split(File.pathSeparator)) {
            found |= new File(p, LUA).canExecute();
        }
        assertTrue(found, LUA + " is not installed: the differential tests need the reference interpreter"
                + " (make lua51, or apt-get install lua5.1)");
    }

    @BeforeEach
    void files() throws IOException {
        Files.writeString(dir.resolve("args.lua"), String.join("\n",
                "local lo, hi = 0, 0",
                "for k in pairs(arg) do lo = math.min(lo, k); hi = math.max(hi, k) end",
                "for i = lo, hi do print(i, arg[i]) end",
                "print('...', select('#', ...), ...)", ""));
        Files.writeString(dir.resolve("mod.lua"), "io.write('mod loaded\\n')\nreturn {answer = 42}\n");
        Files.writeString(dir.resolve("fails.lua"), "print('before')\nerror('on purpose')\nprint('after')\n");
        Files.writeString(dir.resolve("-"), "print('a file named -', ...)\n");
        Files.writeString(dir.resolve("shebang.lua"), "#!/usr/bin/env lua\nprint('shebang skipped')\n");
    }

    /** Runs both; compares stdout (interpreter name replaced) and exit status. */
    private void same(String stdin, String... args) throws Exception {
        same(Map.of(), stdin, args);
    }

    private void same(Map<String, String> env, String stdin, String... args) throws Exception {
        Result ref = lua51(env, stdin, args);
        KrakenProcess.Builder b = KrakenProcess.builder().dir(dir.toFile()).env("LUA_PATH", dir + "/?.lua");
        env.forEach(b::env);
        Result ours = b.stdin(stdin).args(args).run(DEADLINE);
        String context = "kraken " + String.join(" ", args) + "\n--- lua5.1:\n" + ref + "--- kraken:\n" + ours;
        assertEquals(ref.stdout().replace(LUA, "kraken"), ours.stdout(), context);
        assertEquals(ref.exitCode(), ours.exitCode(), context);
    }

    private Result lua51(Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(LUA);
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("LUA_PATH", dir + "/?.lua");
        pb.environment().remove("LUA_INIT");
        // kraken inherits this JVM's environment: a LUA_INIT here would reach only one side.
        assertEquals(null, System.getenv("LUA_INIT"), "run the tests without LUA_INIT");
        pb.environment().putAll(env);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // lua5.1 exited without reading its input.
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = drain(p.getInputStream(), out);
        Thread e = drain(p.getErrorStream(), err);
        try {
            if (!p.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("lua5.1 did not exit within " + DEADLINE);
            }
            o.join(5000);
            e.join(5000);
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(to);
            } catch (IOException ignored) {
                // The process is gone.
            }
        });
        t.start();
        return t;
    }

    @Test
    void statements() throws Exception {
        same("", "-e", "print(1+1)");
        same("", "-e", "x = 6", "-e", "print(x * 7)");
        same("", "-eprint('glued')");
        same("", "-e", "print(#arg)");
        same("", "-e", "--", "-e", "print('a comment first')");
        same("", "-e", "--check", "-e", "print('still a comment')");
    }

    @Test
    void libraries() throws Exception {
        same("", "-l", "mod", "-e", "print(package.loaded.mod.answer)");
        same("", "-e", "print(1)", "-lmod", "-e", "print(2)");
        same("", "-l", "no_such_module");
    }

    @Test
    void scriptArguments() throws Exception {
        same("", "args.lua");
        same("", "args.lua", "a", "b c", "");
        same("", "-e", "x=1", "args.lua", "-e", "--", "-");
        same("", "--", "args.lua", "x");
        same("", "-v", "args.lua", "1");
    }

    @Test
    void standardInput() throws Exception {
        String program = "print('stdin', ...)\nfor i = -2, 2 do print(i, arg and arg[i]) end\n";
        same(program, "-", "p", "q");
        same(program, "-e", "print('e first')", "-", "r");
        same(program);
        same(program, "--", "-", "file");
    }

    @Test
    void errorsAndStatus() throws Exception {
        same("", "fails.lua");
        same("", "missing.lua");
        same("", "-e", "error('x')");
        same("", "-e", "error({})");
        same("", "-e", "error()");
        same("", "-e", "x = = 1");
        same("", "-e", "os.exit(3)");
        same("", "-x");
        same("", "-e");
    }

    @Test
    void stringsAreBytes() throws Exception {
        byte[] script = "local s = '\u00e9\u00ff\u0001'\nio.write(s, '\\n')\nprint(#s, s:byte(1, -1))\nprint('h\u00c3\u00a9llo')\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve("bytes.lua"), script);
        same("", "bytes.lua");
        same(new String(script, StandardCharsets.ISO_8859_1));
        // Under the C locale the JVM cannot decode these arguments; kraken must still see their bytes.
        same(Map.of("LC_ALL", "C", "LANG", "C"), "", "-e", "io.write('\u00e9\u00e8', #'\u00e9', '\\n')", "args.lua",
                "\u00fcber");
        same(Map.of("LC_ALL", "C", "LANG", "C"), "", "-e", "print(1)", "missing-\u00fcber.lua");
        same(Map.of("LC_ALL", "C", "LANG", "C"), "", "args.lua", "gr\u00fc\u00df");
    }

    @Test
    void luaInitRunsFirst() throws Exception {
        Files.writeString(dir.resolve("init.lua"), "print('init file', arg)\nstarted = 1\n");
        same(Map.of("LUA_INIT", "print('init chunk') started = 2"), "", "-e", "print(started)");
        same(Map.of("LUA_INIT", "@init.lua"), "", "args.lua", "a");
        same(Map.of("LUA_INIT", "@missing.lua"), "", "-e", "print('never')");
        same(Map.of("LUA_INIT", "error('in init')"), "", "-e", "print('never')");
    }

    @Test
    void shebangLine() throws Exception {
        same("", "shebang.lua");
    }

    @Test
    void interactive() throws Exception {
        same("x = 1\n=x + 1\nfor i = 1, 2 do\nprint(i)\nend\n=nil\nreturn 'a', 'b'\nerror('e')\nprint('on')\n", "-i");
        same("=select('#', ...)\n=arg[1]\n", "-i", "args.lua", "z");
        same("if true then\n", "-i");
    }
}
