package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.testing.KrakenProcess;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One bad connection, script or worker ends only itself; the server keeps serving. */
@Tag("integration")
@Timeout(120)
class FailuresTest {
    @TempDir
    Path dir;

    /** Sends the worker's pid, then behaves as "mode" (the line the client sends) says. */
    private static final String MODAL = Server.PID_FUNCTION + """
            local app = coroutine.create(function (skt, addr)
              skt:send(tostring(pid()))
              local mode, err = skt:receive()
              if mode == "error" then error("boom from the application") end
              if mode == "hang" then skt:receive() end
              skt:send("fine " .. tostring(err))
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void anApplicationErrorEndsItsConnectionOnly() throws Exception {
        try (Server s = Server.start(dir, MODAL, "").awaitReady(1)) {
            Server.Client c = s.connect();
            String pid = c.readLine();
            c.send("error\n");
            assertEquals("", c.readAll());
            s.awaitLog("boom from the application", Duration.ofSeconds(10));
            assertTrue(s.process.stderr().matches("(?s).*connection from 127\\.0\\.0\\.1:\\d+ served by worker " + pid
                    + " in [0-9.]+ ms: error: .*boom from the application.*"), s.process.stderr());
            // The error's position once, as lua5.1 prints it, not LuaJ's prefix on top of it.
            assertTrue(Pattern.compile("ms: error: [^ :]*server\\.lua:\\d+: boom from the application")
                    .matcher(s.process.stderr()).find(), s.process.stderr());
            assertTrue(s.exchange("ok\n").endsWith("fine nil\r\n"));
        }
    }

    @Test
    void aKilledWorkerEndsItsConnectionOnly() throws Exception {
        try (Server s = Server.start(dir, MODAL, "").awaitReady(1)) {
            Server.Client c = s.connect();
            int pid = Integer.parseInt(c.readLine());
            new ProcessBuilder("kill", "-KILL", Integer.toString(pid)).start().waitFor();
            assertEquals("", c.readAll());
            s.awaitLog("worker " + pid + " exited: killed by signal 9", Duration.ofSeconds(10));
            assertTrue(s.process.stderr().contains("served by worker " + pid + " in "), s.process.stderr());
            assertTrue(s.process.stderr().contains(": worker died: killed by signal 9"), s.process.stderr());
            assertTrue(s.exchange("ok\n").endsWith("fine nil\r\n"));
        }
    }

    @Test
    void aConnectionThatOverrunsLimitsTimeLosesItsWorker() throws Exception {
        try (Server s = Server.start(dir, MODAL, "kraken.limits.time = 5").awaitReady(1)) {
            Server.Client c = s.connect();
            int pid = Integer.parseInt(c.readLine());
            c.send("hang\n");
            assertEquals("", c.readAll()); // the master killed the worker: end of stream
            s.awaitLog("killed after kraken.limits.time (5 s)", Duration.ofSeconds(20));
            assertTrue(s.process.stderr().contains("served by worker " + pid + " in "), s.process.stderr());
            assertTrue(s.exchange("ok\n").endsWith("fine nil\r\n"));
        }
    }

    @Test
    void aHostileClientThatSendsAnEndlessLineEndsOnlyItsConnection() throws Exception {
        try (Server s = Server.start(dir, MODAL, "kraken.limits.line = 1024").awaitReady(1)) {
            Server.Client c = s.connect();
            c.readLine();
            // The server may answer and close while the client is still writing: the kernel then
            // resets the connection, which is as much its end as a FIN (correct TCP behaviour).
            String reply;
            try {
                c.send("x".repeat(5000));
                c.send("\n");
                reply = c.readAll();
            } catch (java.net.SocketException reset) {
                reply = null;
            }
            // receive() gives nil, "line too long"; the application then sends "fine".
            assertTrue(reply == null || reply.equals("fine line too long\r\n"), reply);
            s.awaitLog("ms: ok", Duration.ofSeconds(10));
            assertTrue(s.exchange("ok\n").endsWith("fine nil\r\n"));
        }
    }

    @Test
    void aStoppedReadyWorkerIsNotHandedAConnection() throws Exception {
        try (Server s = Server.start(dir, MODAL, "kraken.workers.spare = 1").awaitReady(1)) {
            List<Integer> pids = s.workerPids();
            assertEquals(1, pids.size(), pids.toString());
            int stopped = pids.get(0);
            // What a sibling of the same user can do to it with os.execute("kill -STOP ...").
            new ProcessBuilder("kill", "-STOP", Integer.toString(stopped)).start().waitFor();
            // kill(2) returns before a busy machine has stopped every thread: the worker is a
            // stopped ready worker once /proc says so, and only then does the client come.
            Poll.until("worker " + stopped + " stopped", Duration.ofSeconds(10), () -> {
                try {
                    return Server.statusField(stopped, "State").startsWith("T");
                } catch (java.io.IOException gone) {
                    return false;
                }
            });
            Server.Client c = s.connect();
            c.socket.setSoTimeout(30_000);
            int pid = Integer.parseInt(c.readLine());
            assertTrue(pid != stopped, "the stopped worker was handed the connection");
            c.send("ok\n");
            assertEquals("fine nil\r\n", c.readAll());
            s.awaitLog("worker " + stopped + " is stopped", Duration.ofSeconds(10));
            s.awaitLog("worker " + stopped + " exited: killed by signal 9", Duration.ofSeconds(10));
        }
    }

    @Test
    void loopReturnsNilAndAMessageWithoutAnApplicationOrAnAddress() throws Exception {
        String noAddress = "assert(kraken.registerApplication(coroutine.create(print)))\nprint(kraken.loop())";
        String noApplication = "assert(kraken.registerAddress { host = '127.0.0.1', port = PORT })\n"
                + "print(kraken.loop())";
        try (Server s = Server.start(dir, noAddress, "")) {
            KrakenProcess.Result r = s.process.waitFor(Duration.ofSeconds(30));
            assertEquals("nil\tno address registered (call kraken.registerAddress first)\n", r.stdout(), r.toString());
        }
        try (Server s = Server.start(dir, noApplication, "")) {
            KrakenProcess.Result r = s.process.waitFor(Duration.ofSeconds(30));
            assertEquals("nil\tno application registered (call kraken.registerApplication first)\n", r.stdout(),
                    r.toString());
        }
    }

    @Test
    void noWorkerThatCanStartMakesLoopReturnNilAndAMessage() throws Exception {
        // Every worker's JVM refuses to start (an option no JVM knows, given to workers only): the
        // script's own top level runs once, in its script process, and cannot make a worker fail.
        String script = Server.helloProgram().replace("assert(kraken.loop())", "print(kraken.loop())\nprint('after loop')");
        try (Server s = Server.start(dir, script, "",
                KrakenProcess.builder().env("KRAKEN_WORKER_OPTS", "-XX:+KrakenNoSuchOption"))) {
            KrakenProcess.Result r = s.process.waitFor(Duration.ofSeconds(60));
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().matches("(?s)nil\tno worker can start: .*KrakenNoSuchOption.*after loop\n"),
                    r.toString());
        }
    }

    /**
     * 1.5 MB of image: within what kraken.limits.memory = '128m' allows (5.3 MB, a 24th), more
     * than '16m' does (0.7 MB).
     */
    private static final String LARGE = "blob = string.rep('x', 1500000)\n";

    @Test
    void workersThatDieBeforeReadyThrottleSpawningInsteadOfSpinning() throws Exception {
        try (Server s = Server.start(dir, LARGE + Server.helloProgram(),
                "kraken.workers.spare = 1\nkraken.limits.memory = '128m'\n").awaitReady(1)) {
            // A reload that gives workers too small a heap for the image: each new one refuses it
            // before it is ready.
            Files.writeString(dir.resolve("kraken.lua"), "kraken.workers.spare = 1\nkraken.limits.memory = '16m'\n");
            s.process.signal("HUP");
            s.awaitLog("next start in 2000 ms", Duration.ofSeconds(30));
            // The master prefixes a worker's own lines once: "kraken: worker PID: the state image ...".
            assertTrue(Pattern.compile("(?m)^kraken: worker \\d+: the state image has \\d+ bytes, more than the \\d+ this worker's heap allows")
                    .matcher(s.process.stderr()).find(), s.process.stderr());
            assertTrue(!s.process.stderr().contains("kraken worker"), s.process.stderr());
            int started = s.count("started");
            long t0 = System.nanoTime();
            // Back-off doubles: within the next two seconds at most one more start is allowed.
            Poll.until("two seconds", Duration.ofSeconds(5), () -> System.nanoTime() - t0 > 2_000_000_000L);
            assertTrue(s.count("started") - started <= 1, s.process.stderr());
            // Once the configuration is fixed, the next start after the back-off succeeds and serves.
            Files.writeString(dir.resolve("kraken.lua"), "kraken.workers.spare = 1\n");
            int ready = s.count("ready in");
            s.process.signal("HUP");
            s.process.await("a new ready worker", Duration.ofSeconds(30), () -> s.count("ready in") > ready);
            assertEquals(">Ok\n\r\n", s.exchange("hi\n"));
        }
    }

    @Test
    void aWorkerThatNeverBecomesReadyIsKilledAndThrottled() throws Exception {
        try (Server s = Server.start(dir, Server.helloProgram(), "kraken.workers.spare = 1").awaitReady(1)) {
            // No JVM is ready within a hundredth of a second: after this reload every new worker overruns.
            Files.writeString(dir.resolve("kraken.lua"), "kraken.workers.spare = 1\nkraken.limits.time = 0.01\n");
            s.process.signal("HUP");
            s.awaitLog("was not ready within kraken.limits.time (0.01 s): killing it", Duration.ofSeconds(20));
            s.awaitLog("failed before it was ready: not ready within kraken.limits.time", Duration.ofSeconds(10));
            Files.writeString(dir.resolve("kraken.lua"), "kraken.workers.spare = 1\n");
            int ready = s.count("ready in");
            s.process.signal("HUP");
            // Its replacement, after the back-off, serves again.
            s.process.await("a new ready worker", Duration.ofSeconds(30), () -> s.count("ready in") > ready);
            assertEquals(">Ok\n\r\n", s.exchange("hi\n"));
        }
    }

    @Test
    void theMastersDeathEndsItsWorkers() throws Exception {
        try (Server s = Server.start(dir, MODAL, "kraken.workers.spare = 2").awaitReady(2)) {
            Server.Client busy = s.connect();
            busy.readLine();
            List<Integer> pids = s.workerPids();
            assertTrue(pids.size() >= 2, pids.toString());
            s.process.signal("KILL");
            Poll.until("every worker gone", Duration.ofSeconds(10),
                    () -> pids.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
            assertEquals("", busy.readAll());
        }
    }

    @Test
    void everyWorkerIsReapedNoZombies() throws Exception {
        try (Server s = Server.start(dir, Server.helloProgram(), "").awaitReady(1)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(">Ok\n\r\n", s.exchange("hi\n"));
            }
            s.process.await("five exits reaped", Duration.ofSeconds(20), () -> s.count("exited: exit status 0") >= 5);
            for (int pid : s.workerPids()) {
                String state = Server.statusField(pid, "State");
                assertTrue(state == null || !state.startsWith("Z"), "zombie " + pid + ": " + state);
            }
            Matcher m = Pattern.compile("worker (\\d+) exited").matcher(s.process.stderr());
            while (m.find()) {
                int pid = Integer.parseInt(m.group(1));
                assertTrue(ProcessHandle.of(pid).isEmpty() || !ProcessHandle.of(pid).get().isAlive(), "pid " + pid);
            }
        }
    }
}
