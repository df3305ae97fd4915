package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.testing.KrakenProcess;
import kraken.testing.KrakenProcess.Result;
import kraken.testing.Paths;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/processes.md, "Who runs what": a root master never runs the script. The script's top
 * level runs in a process of its own, as kraken.user, and the master only checks and serves what
 * that process reports. These tests run as root, through the real kraken command.
 */
@Tag("integration")
@Timeout(180)
class ScriptProcessTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String WHO = "local uid for l in io.lines('/proc/self/status') do uid = uid or l:match('^Uid:%s*(%d+)') end"
            + " print('top uid ' .. uid .. ' shadow ' .. tostring(io.open('/etc/shadow') ~= nil))";

    @TempDir
    Path dir;

    @Test
    void aPlainProgramRunsAsNobodyAndCannotReadShadow() throws Exception {
        Result r = KrakenProcess.run(DEADLINE, "-e", WHO);
        assertEquals("top uid 65534 shadow false\n", r.stdout(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void theTopLevelOfAServerRunsAsNobodyNeverInTheRootMaster() throws Exception {
        String script = WHO + "\n" + Server.helloProgram().replace("assert(kraken.loop())",
                "print('loop', kraken.loop())\nprint('after the loop')");
        try (Server s = Server.start(dir, script, "").awaitReady(1)) {
            String reply = s.exchange("hi\n");
            assertTrue(reply.startsWith(">Ok"), reply);
            int script1 = s.scriptPid();
            assertTrue(script1 > 0, "a script process lives while the master serves: " + s.process.stderr());
            assertEquals("65534\t65534\t65534\t65534", Server.statusField(script1, "Uid"));
            assertEquals("1", Server.statusField(script1, "NoNewPrivs"));
            assertEquals("0000000000000000", Server.statusField(script1, "CapEff"));
            assertEquals("2", Server.statusField(script1, "Seccomp"), "the workers' system-call filter");
            s.process.signal("TERM");
            Result r = s.process.waitFor(DEADLINE);
            Matcher m = Pattern.compile("top uid (\\d+) shadow (\\w+)").matcher(r.stdout());
            int lines = 0;
            while (m.find()) {
                lines++;
                assertEquals("65534", m.group(1), r.toString());
                assertEquals("false", m.group(2), r.toString());
            }
            assertTrue(lines >= 1, r.toString());
            // kraken.loop() returned in the script's process when the master's loop ended.
            assertTrue(r.stdout().contains("loop\ttrue\nafter the loop\n"), r.toString());
            assertEquals(0, r.exitCode(), r.toString());
        }
    }

    @Test
    void theTopLevelRunsOnceForManyConnectionsOverSeveralWorkers() throws Exception {
        String script = "print('TOP LEVEL RAN')\nlocal drawn = math.random(1, 1000000000)\n" + Server.helloProgram()
                .replace("skt:rawsend(\">\")", "skt:rawsend(drawn .. \">\")");
        try (Server s = Server.start(dir, script, "kraken.workers.spare = 3\n").awaitReady(3)) {
            java.util.Set<String> values = new java.util.HashSet<>();
            for (int i = 0; i < 6; i++) {
                String reply = s.exchange("hi\n");
                assertTrue(reply.contains(">Ok"), reply);
                values.add(reply.substring(0, reply.indexOf('>')));
            }
            assertEquals(1, values.size(), "a value drawn at the top level is the same in every connection: " + values);
            s.process.await("six connections logged", DEADLINE, () -> s.count("served by worker") >= 6);
            assertEquals(1, s.process.stdout().split("TOP LEVEL RAN", -1).length - 1, s.process.stdout());
        }
    }

    @Test
    void hupRunsTheTopLevelOnceMoreAndAFailedRunKeepsTheOldImage() throws Exception {
        // The script process's pid, drawn at the top level: it differs from one run of it to the next.
        String script = "print('TOP LEVEL RAN')\n" + Server.PID_FUNCTION + "local drawn = pid()\n"
                + Server.helloProgram().replace("skt:rawsend(\">\")", "skt:rawsend(drawn .. \">\")");
        try (Server s = Server.start(dir, script, "kraken.workers.spare = 2\n").awaitReady(2)) {
            String first = drawn(s);
            assertEquals(Integer.toString(s.scriptPid()), first, "the top level ran in the script process");
            assertEquals(1, topLevelRuns(s));
            s.process.signal("HUP");
            s.awaitLog("reload: the top level ran again", DEADLINE);
            assertEquals(2, topLevelRuns(s));
            String[] second = new String[1];
            s.process.await("a connection served from the new image", DEADLINE, () -> {
                second[0] = drawnQuietly(s);
                return second[0] != null && !second[0].equals(first);
            });
            // A top level that fails: logged, and new workers start from the image of the last good run.
            Files.writeString(s.script, "print('TOP LEVEL RAN')\nerror('broken on purpose')\n");
            s.process.signal("HUP");
            s.awaitLog("new workers start from the old image", DEADLINE);
            assertTrue(s.process.stderr().contains("broken on purpose"), s.process.stderr());
            s.process.await("a new worker ready after the failed reload", DEADLINE,
                    () -> s.count("ready in") >= 6);
            for (int i = 0; i < 3; i++) {
                assertEquals(second[0], drawn(s));
            }
            assertEquals(3, topLevelRuns(s));
        }
    }

    @Test
    void aMasterWithoutPrivilegesRunsTheScriptItselfAndHupRunsItAgainInAScriptProcess() throws Exception {
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        String cp = SpawnRefusalTest.readableClasspath(dir.resolve("cp"));
        String script = "print('TOP LEVEL RAN')\n" + Server.PID_FUNCTION + "local drawn = pid()\n"
                + Server.helloProgram().replace("skt:rawsend(\">\")", "skt:rawsend(drawn .. \">\")");
        KrakenProcess.Builder nobody = KrakenProcess.builder().classpath(cp)
                .prefix("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        try (Server s = Server.start(dir, script, "kraken.workers.spare = 1\n", nobody).awaitReady(1)) {
            String first = drawn(s);
            assertEquals(Long.toString(s.process.pid()), first, "no privileges to protect: the top level ran in the master");
            assertEquals(-1, s.scriptPid());
            s.process.signal("HUP");
            s.awaitLog("reload: the top level ran again", DEADLINE);
            assertEquals(2, topLevelRuns(s));
            s.process.await("a connection served from the new image", DEADLINE, () -> {
                String d = drawnQuietly(s);
                return d != null && !d.equals(first);
            });
        }
    }

    private static int topLevelRuns(Server s) {
        return s.process.stdout().split("TOP LEVEL RAN", -1).length - 1;
    }

    private static String drawn(Server s) throws java.io.IOException {
        String reply = s.exchange("hi\n");
        assertTrue(reply.contains(">Ok"), reply);
        return reply.substring(0, reply.indexOf('>'));
    }

    private static String drawnQuietly(Server s) {
        try {
            String reply = s.exchange("hi\n");
            return reply.contains(">") ? reply.substring(0, reply.indexOf('>')) : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Test
    void registerUserOfAUserTheConfigurationDoesNotAllowReturnsNilAndTheMessage() throws Exception {
        Path config = dir.resolve("kraken.lua");
        Files.writeString(config, "kraken.users = {'daemon', 4242}\n");
        Result r = KrakenProcess.run(DEADLINE, "--config", config.toString(), "-e",
                "print(kraken.registerUser('nobody')) print(kraken.registerUser(65534))"
                + " print(kraken.registerUser('daemon')) print(kraken.registerUser(4242))");
        assertEquals("nil\tuser nobody is not allowed by the configuration\n"
                + "nil\tuser nobody is not allowed by the configuration\ntrue\ntrue\n", r.stdout(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void aMalformedUsersKeyNamesTheFileTheLineAndTheKey() throws Exception {
        Path config = dir.resolve("kraken.lua");
        Files.writeString(config, "kraken.grace = 1\nkraken.users = 'nobody'\n");
        Result r = KrakenProcess.run(DEADLINE, "--config", config.toString(), "-e", "print(1)");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.stderr().startsWith("kraken: " + config + ":2: kraken.users must be"), r.toString());
        assertEquals("", r.stdout(), r.toString());
    }

    @Test
    void theScriptKeepsItsExitStatusErrorsAndStandardInput() throws Exception {
        assertEquals(3, KrakenProcess.run(DEADLINE, "-e", "io.write('x') os.exit(3)").exitCode());
        Result err = KrakenProcess.run(DEADLINE, "-e", "error('boom')");
        assertEquals(1, err.exitCode(), err.toString());
        assertTrue(err.stderr().startsWith("kraken: (command line):1: boom\nstack traceback:\n"), err.toString());
        Result i = KrakenProcess.builder().args("-i").stdin("x = 20 + 1\nprint(x)\n").run(DEADLINE);
        assertTrue(i.stdout().contains("21\n"), i.toString());
        assertEquals(0, i.exitCode(), i.toString());
        Result killed = KrakenProcess.run(DEADLINE, "-e", "os.execute('kill -KILL ' .. "
                + "io.open('/proc/self/stat'):read('*n'))");
        assertEquals(128 + 9, killed.exitCode(), killed.toString());
    }

    // ---- a hostile script process (HostileScript, in place of the real one) ----

    private KrakenProcess hostile(String... args) throws Exception {
        return KrakenProcess.builder().jvmArg("-Dkraken.script.main=" + HostileScript.class.getName())
                .args(args).start();
    }

    @Test
    void garbageLyingCountsAndOversizedMessagesEndTheScriptProcessNotTheMaster() throws Exception {
        for (String what : List.of("garbage", "lying-count", "oversized")) {
            try (KrakenProcess k = hostile("-e", what)) {
                Result r = k.waitFor(DEADLINE);
                assertTrue(r.stderr().contains("the script's process broke the protocol"), what + ": " + r);
                assertEquals(128 + 9, r.exitCode(), what + ": " + r);
            }
        }
    }

    @Test
    void aScriptProcessThatNeverAnswersLeavesTheMasterResponsiveToSignals() throws Exception {
        try (KrakenProcess k = hostile("-e", "silent")) {
            k.await("the script process", DEADLINE, () -> k.process().toHandle().children().count() == 1);
            k.signal("TERM");
            Result r = k.waitFor(DEADLINE);
            assertEquals(128 + 15, r.exitCode(), "the TERM went to the script process, whose status is the command's: "
                    + r);
        }
    }

    @Test
    void aFloodOfOutputGoesStraightToTheCommandsStreams() throws Exception {
        try (KrakenProcess k = hostile("-e", "flood")) {
            Result r = k.waitFor(DEADLINE);
            assertEquals(0, r.exitCode(), r.stderr().substring(0, Math.min(200, r.stderr().length())));
            assertEquals(200_000 * 65, r.stdout().length());
            assertEquals(200_000 * 65, r.stderr().length());
        }
    }

    @Test
    void aScriptProcessThatDiesAtLoopLeavesTheMasterServingUntilItsStop() throws Exception {
        int port = Paths.freePort();
        try (KrakenProcess k = hostile("-e", Integer.toString(port), "-e", "dies-at-loop")) {
            k.await("a ready worker", DEADLINE, () -> k.stderr().contains("ready in"));
            try (java.net.Socket c = new java.net.Socket("127.0.0.1", port)) {
                c.setSoTimeout(20_000);
                assertEquals("served\r\n", new String(c.getInputStream().readAllBytes()));
            }
            k.signal("TERM");
            Result r = k.waitFor(DEADLINE);
            assertEquals(5, r.exitCode(), "the script process's own status: " + r);
            assertFalse(r.stderr().contains("internal error"), r.toString());
        }
    }
}
