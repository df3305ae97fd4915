package kraken.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import kraken.testing.KrakenProcess;
import kraken.testing.KrakenProcess.Result;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real kraken command: options, arg and `...`, errors and exit codes, interactive mode, configuration. */
@Tag("integration")
@Timeout(120)
class CommandTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private Result kraken(String... args) throws Exception {
        return KrakenProcess.builder().dir(dir.toFile()).args(args).run(DEADLINE);
    }

    private static void assertOk(Result r, String stdout) {
        assertEquals(stdout, r.stdout(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    private static void assertFails(Result r, String stderrStart) {
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.stderr().startsWith(stderrStart), r.toString());
    }

    @Test
    void statementsAndLibrariesRunInTheOrderGiven() throws Exception {
        write("m.lua", "io.write('m ')\nreturn {}\n");
        Result r = KrakenProcess.builder().dir(dir.toFile()).env("LUA_PATH", dir + "/?.lua")
                .args("-e", "io.write('a ')", "-l", "m", "-eio.write('b ')", "-e", "print(package.loaded.m ~= nil)")
                .run(DEADLINE);
        assertOk(r, "a m b true\n");
    }

    @Test
    void theScriptGetsArgAndDots() throws Exception {
        write("s.lua", "print(select('#', ...), ...)\nfor i = -4, 3 do print(i, arg[i]) end\n");
        Result r = kraken("--config", "", "s.lua", "x", "y");
        assertOk(r, "2\tx\ty\n-4\tnil\n-3\tkraken\n-2\t--config\n-1\t\n0\ts.lua\n1\tx\n2\ty\n3\tnil\n");
    }

    @Test
    void argIsUnsetWithoutAScriptAsInLua51() throws Exception {
        assertOk(kraken("-e", "print(arg)"), "nil\n");
    }

    @Test
    void dashReadsTheScriptFromStdin() throws Exception {
        Result r = KrakenProcess.builder().dir(dir.toFile()).args("-", "a").stdin("print(arg[0], ...)\n").run(DEADLINE);
        assertOk(r, "-\ta\n");
    }

    @Test
    void withoutAScriptAndNoTerminalTheProgramComesFromStdin() throws Exception {
        Result r = KrakenProcess.builder().dir(dir.toFile()).stdin("print('from stdin', arg)\n").run(DEADLINE);
        assertOk(r, "from stdin\tnil\n");
    }

    @Test
    void doubleDashEndsOptions() throws Exception {
        write("-v", "print('a file named -v')\n");
        assertOk(kraken("--", "-v"), "a file named -v\n");
    }

    @Test
    void versionGoesToStderr() throws Exception {
        Result r = kraken("-v");
        assertOk(r, "");
        assertTrue(r.stderr().startsWith("Kraken "), r.toString());
    }

    @Test
    void helpGoesToStdout() throws Exception {
        Result r = kraken("--help");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().startsWith("usage: kraken [options] [script [args]]"), r.toString());
        assertTrue(r.stdout().contains("--config FILE") && r.stdout().contains("--check"), r.toString());
        assertEquals(r.stdout(), kraken("-h").stdout());
    }

    @Test
    void aBadOptionPrintsUsage() throws Exception {
        Result r = kraken("-x");
        assertFails(r, "kraken: unrecognized option '-x'\nusage: kraken");
        assertFails(kraken("-e"), "kraken: Missing argument for option: e\nusage: kraken");
    }

    @Test
    void anErrorPrintsMessageAndTracebackAndExits1() throws Exception {
        Result r = kraken("-e", "error('boom')");
        assertFails(r, "kraken: (command line):1: boom\nstack traceback:\n");
        write("bad.lua", "\n\nlocal x = nil + 1\n");
        assertFails(kraken("bad.lua"), "kraken: bad.lua:3: ");
        assertFails(kraken("-e", "x = = 1"), "kraken: (command line):1: unexpected symbol");
        assertFails(kraken("missing.lua"), "kraken: cannot open missing.lua: No such file or directory\n");
        assertFails(kraken("-e", "error({})"), "kraken: (error object is not a string)\n");
        Result nil = kraken("-e", "error()");
        assertEquals(1, nil.exitCode(), nil.toString());
        assertFails(kraken("-l", "no_such_module_here"), "kraken: module 'no_such_module_here' not found");
    }

    @Test
    void aFailingStatementStopsTheRest() throws Exception {
        Result r = kraken("-e", "print(1)", "-e", "error('x')", "-e", "print(3)");
        assertEquals("1\n", r.stdout(), r.toString());
        assertEquals(1, r.exitCode());
    }

    @Test
    void osExitSetsTheStatus() throws Exception {
        Result r = kraken("-e", "io.write('bye') os.exit(7)");
        assertEquals("bye", r.stdout(), r.toString());
        assertEquals(7, r.exitCode(), r.toString());
    }

    @Test
    void aClosedPipeEndsTheProgramAsSigpipeWould() throws Exception {
        Process p = new ProcessBuilder(kraken.testing.Paths.java(), "-Dkraken.native=" + kraken.testing.Paths.nativeLibrary(),
                "-cp", System.getProperty("java.class.path"), "kraken.cli.Main", "-e", "while true do print('y') end")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            java.io.InputStream in = p.getInputStream();
            assertEquals('y', in.read());
            in.close();
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "kraken kept writing to a closed pipe");
            assertEquals(141, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void interactiveModeAfterTheScript() throws Exception {
        write("s.lua", "x = 41\n");
        String session = String.join("\n", "=x + 1", "for i = 1, 2 do", "print(i)", "end", "error('oops')",
                "print('still here')", "return 1, nil, 'a'", "_PROMPT = '$ '", "y = {", "}", "=type(y)", "x = = 1",
                "print(io.read('*l'))", "a line for io.read", "") ;
        Result r = KrakenProcess.builder().dir(dir.toFile()).args("-i", "s.lua").stdin(session).run(DEADLINE);
        assertOk(r, String.join("\n", "> =x + 1", "42", "> for i = 1, 2 do", ">> print(i)", ">> end", "1", "2",
                "> error('oops')", "> print('still here')", "still here", "> return 1, nil, 'a'", "1\tnil\ta",
                "> _PROMPT = '$ '", "$ y = {", ">> }", "$ =type(y)", "table", "$ x = = 1",
                "$ print(io.read('*l'))", "a line for io.read", "$ ", ""));
        assertTrue(r.stderr().startsWith("Kraken "), r.toString());
        assertTrue(r.stderr().contains("\nstdin:1: oops\nstack traceback:\n"), r.toString());
        assertTrue(r.stderr().contains("\nstdin:1: unexpected symbol"), r.toString());
    }

    @Test
    void interactiveModeEndsAtEndOfInputInsideAStatement() throws Exception {
        Result r = KrakenProcess.builder().dir(dir.toFile()).args("-i").stdin("print(1)\nif true then\n").run(DEADLINE);
        assertOk(r, "> print(1)\n1\n> if true then\n>> \n");
    }

    @Test
    void scriptsCannotSetConfigurationKeys() throws Exception {
        for (String key : new String[] {"mm", "isolation", "workers", "user", "allow_root", "limits", "sandbox", "grace"}) {
            Result r = kraken("-e", "kraken." + key + " = 1");
            assertFails(r, "kraken: (command line):1: kraken." + key + " can only be set in the configuration file\n");
        }
        assertFails(kraken("-e", "kraken.mm.tries = 1"), "kraken: (command line):1: kraken.mm can only be set in the configuration file");
        assertFails(kraken("-e", "kraken.limits.memory = '1g'"), "kraken: (command line):1: kraken.limits can only be set");
        assertOk(kraken("-e", "kraken.custom = 1 print(kraken.custom, kraken.mm.tries, kraken.workers.max)"), "1\t5\t64\n");
    }

    @Test
    void theConfigurationOptionWinsOverTheEnvironment() throws Exception {
        Path a = write("a.lua", "kraken.workers.max = 11\n");
        Path b = write("b.lua", "kraken.workers.max = 22\n");
        String show = "print(kraken.workers.max)";
        assertOk(KrakenProcess.builder().dir(dir.toFile()).env("KRAKEN_CONFIG", b.toString())
                .args("--config", a.toString(), "-e", show).run(DEADLINE), "11\n");
        assertOk(KrakenProcess.builder().dir(dir.toFile()).env("KRAKEN_CONFIG", b.toString())
                .args("-e", show).run(DEADLINE), "22\n");
        assertOk(KrakenProcess.builder().dir(dir.toFile()).env("KRAKEN_CONFIG", b.toString())
                .args("--config", "", "-e", show).run(DEADLINE), "64\n");
        assertOk(KrakenProcess.builder().dir(dir.toFile()).args("--config=" + a, "-e", show).run(DEADLINE), "11\n");
    }

    @Test
    void theBuiltInDefaultIsTheShippedFile() throws Exception {
        String dump = "for _, k in ipairs{'tries'} do io.write(kraken.mm[k], ' ') end "
                + "io.write(kraken.mm.timeout[1], ' ', kraken.mm.timeout[2], ' ', kraken.isolation, ' ', "
                + "kraken.workers.spare, ' ', kraken.workers.max, ' ', kraken.workers.connections, ' ', tostring(kraken.user), ' ', "
                + "tostring(kraken.allow_root), ' ', kraken.limits.time, ' ', kraken.limits.memory, ' ', "
                + "tostring(kraken.limits.cpu), ' ', tostring(kraken.limits.files), ' ', kraken.limits.line, ' ', "
                + "tostring(kraken.sandbox), ' ', kraken.grace, '\\n')";
        Result builtIn = kraken("-e", dump);
        // docs/configuration.md: kraken.user is "nobody" when the master is root, else nil.
        String user = kraken.posix.Privileges.geteuid() == 0 ? "nobody" : "nil";
        assertOk(builtIn, "5 50 500 process 2 64 10000 " + user + " false 300 64m nil nil 65536 false 30\n");
        Path shipped = kraken.testing.Paths.root().toPath().resolve("conf/kraken.lua");
        assertOk(kraken("--config", shipped.toString(), "-e", dump), builtIn.stdout());
    }

    @Test
    void aMissingNamedConfigurationIsAnError() throws Exception {
        assertFails(kraken("--config", "nope.lua", "-e", "print(1)"),
                "kraken: cannot open nope.lua (named by --config): No such file or directory\n");
        Result r = KrakenProcess.builder().dir(dir.toFile()).env("KRAKEN_CONFIG", "nope.lua").args("-e", "print(1)")
                .run(DEADLINE);
        assertFails(r, "kraken: cannot open nope.lua (named by KRAKEN_CONFIG): No such file or directory\n");
    }

    @Test
    void aBadConfigurationStopsTheProgram() throws Exception {
        Path c = write("c.lua", "-- first\nkraken.workers.spare = 'x'\n");
        Result r = kraken("--config", c.toString(), "-e", "print('never')");
        assertEquals("", r.stdout(), r.toString());
        assertEquals("kraken: " + c + ":2: kraken.workers.spare must be an integer from 0 to kraken.workers.max"
                + " (got \"x\")\n", r.stderr());
        assertEquals(1, r.exitCode());
        write("c.lua", "kraken.isolation = \n");
        assertFails(kraken("--config", c.toString(), "-e", "print('never')"), "kraken: " + c + ":");
    }

    @Test
    void checkPrintsWhatWasRegisteredAndStopsAtLoop() throws Exception {
        write("srv.lua", String.join("\n",
                "print('before loop')",
                "kraken.loop()",
                "print('after loop')", ""));
        Result r = kraken("--check", "srv.lua");
        assertEquals("before loop\napplication none\nuser " + expectedUser() + "\n", r.stdout(), r.toString());
        assertTrue(r.stderr().contains("kraken: --check: no application registered"), r.toString());
        assertEquals(1, r.exitCode(), r.toString());
        Result noLoop = kraken("--check", "-e", "print(1)");
        assertFails(noLoop, "kraken: --check: the program ended without calling kraken.loop()");
    }

    @Test
    void checkOfAServer() throws Exception {
        write("srv.lua", String.join("\n",
                "local app = coroutine.create(function (skt, addr) end)",
                "assert(kraken.registerApplication(app))",
                "assert(kraken.registerAddress { host = '*', port = 8001 })",
                "assert(kraken.registerAddress { host = '127.0.0.1', port = 8002 })",
                "assert(kraken.loop())",
                "print('after loop')", ""));
        Result r = kraken("--check", "srv.lua");
        assertEquals(0, r.exitCode(), r.toString());
        String[] lines = r.stdout().split("\n");
        assertEquals(4, lines.length, r.toString());
        assertEquals("address *:8001", lines[0]);
        assertEquals("address 127.0.0.1:8002", lines[1]);
        assertTrue(lines[2].startsWith("application thread: "), r.toString());
        assertEquals("user " + expectedUser(), lines[3]);
    }

    private static String expectedUser() {
        String me = System.getProperty("user.name");
        return "root".equals(me) ? "nobody (the default for a root master)" : me + " (the master's own user)";
    }
}
