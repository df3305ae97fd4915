package kraken.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import kraken.testing.KrakenProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `kraken status` against the lua5.1 command line: which words make it the subcommand, and that
 * a script named status still runs; `--version` is `-v`. (Talking to a running master is in
 * kraken.master.StatusTest.)
 */
@Tag("integration")
@Timeout(120)
class StatusCommandTest {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private KrakenProcess.Result run(String... args) throws Exception {
        return KrakenProcess.builder().dir(dir.toFile()).args(args).run(T);
    }

    @Test
    void versionLongAndShort() throws Exception {
        KrakenProcess.Result v = run("-v");
        KrakenProcess.Result version = run("--version");
        assertEquals(0, version.exitCode(), version.toString());
        assertEquals(v.stderr(), version.stderr());
        assertTrue(version.stderr().startsWith("Kraken 0.1.0  Lua 5.1"), version.toString());
        assertEquals("", version.stdout());
    }

    @Test
    void aScriptNamedStatusStillRunsAsLua51WouldRunIt() throws Exception {
        Files.writeString(dir.resolve("status"), "print('the script, with', ...)\n");
        assertEquals("the script, with\ta\n", run("./status", "a").stdout());
        assertEquals("the script, with\tb\n", run("--", "status", "b").stdout());
        KrakenProcess.Result afterOption = run("-e", "x = 1", "status", "c");
        assertEquals("the script, with\tc\n", afterOption.stdout(), afterOption.toString());
    }

    @Test
    void theSubcommandNeedsKrakenStatusAndTakesOnlyItsOptions() throws Exception {
        KrakenProcess.Result unset = run("status");
        assertEquals(1, unset.exitCode(), unset.toString());
        assertEquals("kraken: status: kraken.status is not set in the built-in default configuration (set"
                + " kraken.status = {host = \"127.0.0.1\", port = 9100} or {path = \"/run/kraken.status\"})\n",
                unset.stderr());
        KrakenProcess.Result extra = run("status", "now");
        assertEquals(1, extra.exitCode(), extra.toString());
        assertTrue(extra.stderr().startsWith("kraken: status: unexpected argument 'now'"), extra.toString());
        Path conf = Files.writeString(dir.resolve("k.lua"), "kraken.status = {path = '" + dir.resolve("none.sock")
                + "'}\n");
        KrakenProcess.Result none = run("--config=" + conf, "status");
        assertEquals(3, none.exitCode(), none.toString());
        assertTrue(none.stderr().startsWith("kraken: status: no master answers at " + dir.resolve("none.sock")),
                none.toString());
        Path bad = Files.writeString(dir.resolve("bad.lua"), "kraken.status = {port = 1}\n");
        KrakenProcess.Result badConf = run("status", "--config", bad.toString());
        assertEquals(1, badConf.exitCode(), badConf.toString());
        assertTrue(badConf.stderr().startsWith("kraken: " + bad + ":1: kraken.status must be"), badConf.toString());
    }
}
