package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each worker in a control group of its own (docs/configuration.md, kraken.limits.processes and
 * kraken.limits.memory_total), attacked as a script would, through the real command with the
 * default caps. Every program a test starts carries a marker of its own in its command line
 * (an unusual sleep length), so that the test counts it through /proc and, whatever happens,
 * kills each one it finds by pid at its end.
 */
@Tag("integration")
@Timeout(180)
class ControlGroupTest {
    @TempDir
    Path dir;

    /** Command-line markers of the programs this test's scripts start, killed by pid after each test. */
    private final List<String> markers = new ArrayList<>();

    /**
     * A client names a shell script of the test's folder; the worker sends its pid, runs the script
     * (LuaJ runs commands without a shell: through sh and a file), sends its output, then waits for
     * one more line before it says bye, so that the test looks at what the connection started
     * while the connection is still open.
     */
    private static final String SCRIPT = Server.PID_FUNCTION + """
            local app = coroutine.create(function (skt, addr)
              local name = skt:receive()
              skt:send(tostring(pid()))
              if name ~= "hi" then
                -- io.popen runs its command through /bin/sh -c, as lua5.1's does: exec makes
                -- the script's own shell the worker's child, so its $PPID is the worker.
                local p = io.popen("exec sh DIR/" .. name .. ".sh")
                local out = p:read("*a") or ""
                p:close()
                skt:send((out:gsub("\\n", " ")))
                skt:receive()
              end
              skt:send("bye")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    private Server start(String config, String... scripts) throws IOException {
        return start(config, KrakenProcess.builder(), scripts);
    }

    /** scripts: name, text, name, text... written as DIR/name.sh, readable by the workers' user. */
    private Server start(String config, KrakenProcess.Builder b, String... scripts) throws IOException {
        for (int i = 0; i < scripts.length; i += 2) {
            Path f = dir.resolve(scripts[i] + ".sh");
            Files.writeString(f, scripts[i + 1]);
            f.toFile().setReadable(true, false);
        }
        return Server.start(dir, SCRIPT.replace("DIR", dir.toString()), config, b);
    }

    /** Pids of the live processes whose command line holds marker (as an argument of its own). */
    static List<Integer> processesWith(String marker) {
        List<Integer> out = new ArrayList<>();
        File[] entries = new File("/proc").listFiles();
        if (entries == null) {
            return out;
        }
        byte[] want = ("\0" + marker + "\0").getBytes(StandardCharsets.US_ASCII);
        for (File e : entries) {
            if (!e.getName().chars().allMatch(Character::isDigit)) {
                continue;
            }
            try {
                byte[] cmd = Files.readAllBytes(e.toPath().resolve("cmdline"));
                if (contains(cmd, want) && !new String(Files.readAllBytes(e.toPath().resolve("stat")),
                        StandardCharsets.ISO_8859_1).matches("(?s)^\\d+ \\(.*\\) Z .*")) {
                    out.add(Integer.parseInt(e.getName()));
                }
            } catch (IOException | RuntimeException gone) {
                // exited while we looked
            }
        }
        return out;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Whatever happened, nothing this test started outlives it. */
    @AfterEach
    void killWhatTheTestStarted() {
        for (String m : markers) {
            for (int pid : processesWith(m)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private String marker(String m) {
        markers.add(m);
        return m;
    }

    @Test
    void aConnectionThatStartsSixThousandProcessesGetsFewerThanTheCapWhileAnotherIsServed() throws Exception {
        String mark = marker("47.25");
        String bomb = "i=0\nwhile [ $i -lt 6000 ]; do\n  sleep " + mark
                + " </dev/null >/dev/null 2>&1 &\n  i=$((i+1))\ndone\necho started $i\n";
        // The safety net should the cap fail: RLIMIT_NPROC, inherited by the workers, holds their
        // user (nobody) to 4096 processes; the cap under test is the group's 2048.
        KrakenProcess.Builder b = KrakenProcess.builder().prefix("prlimit", "--nproc=4096:4096");
        try (Server s = start("", b, "bomb", bomb).awaitReady(2)) {
            assertTrue(s.process.stderr().contains("control groups: cgroup v"), s.process.stderr());
            AtomicInteger peak = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            Thread counter = new Thread(() -> {
                while (!done.get()) {
                    peak.accumulateAndGet(processesWith(mark).size(), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            counter.start();
            try (Server.Client attacker = s.connect()) {
                attacker.send("bomb\n");
                int pid = Integer.parseInt(attacker.readLine());
                // The script's shell stops at its first refused fork: by then the group is full.
                String out = attacker.readLine();
                assertFalse(out.contains("started 6000"), out);
                // The group is full and the second client is served all the same.
                String reply = s.exchange("hi\n");
                assertTrue(reply.matches("\\d+\r\nbye\r\n"), reply);
                assertFalse(reply.startsWith(pid + "\r\n"), reply);
                attacker.send("end\n");
                assertEquals("bye\r\n", attacker.readAll());
            } finally {
                done.set(true);
                counter.join(30_000);
            }
            int cap = 2048;
            assertTrue(peak.get() < cap, "a connection started " + peak.get() + " processes; the cap is " + cap);
            // It really tried: the cap, not something else, stopped it (a JVM takes some of the 2048).
            assertTrue(peak.get() > cap / 2, "the bomb started only " + peak.get() + " processes");
            s.awaitLog("(reached kraken.limits.processes (2048)", Duration.ofSeconds(30));
            // What it started ended with it.
            Poll.until("the bomb's processes gone", Duration.ofSeconds(30), () -> processesWith(mark).isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"process", "state"})
    void aPlantedSetsidSleepIsGoneWithinASecondOfItsConnectionsEnd(String isolation) throws Exception {
        String mark = marker(isolation.equals("state") ? "777.125" : "777.375");
        String plant = "setsid sleep " + mark + " </dev/null >/dev/null 2>&1 &\necho $!\n";
        try (Server s = start("kraken.isolation = \"" + isolation + "\"\n", "plant", plant).awaitReady(2)) {
            int sleeper;
            try (Server.Client c = s.connect()) {
                c.send("plant\n");
                c.readLine();
                sleeper = Integer.parseInt(c.readLine().trim());
                // setsid execs sleep a moment after the shell printed its pid.
                final int planted = sleeper;
                Poll.until("the planted sleep", Duration.ofSeconds(10), () -> processesWith(mark).equals(List.of(planted)));
                assertEquals(sleeper, sessionOf(sleeper));
                c.send("end\n");
                assertEquals("bye\r\n", c.readAll());
            }
            Poll.until("the planted sleep gone", Duration.ofSeconds(1), () -> processesWith(mark).isEmpty());
            // The server goes on.
            assertTrue(s.exchange("hi\n").endsWith("\r\nbye\r\n"));
        }
    }

    private static int sessionOf(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(f[3]); // state ppid pgrp session
    }

    @Test
    void aConnectionThatStopsItsOwnWorkerLaterLeavesTheNextClientServed() throws Exception {
        String mark = marker("2.0625");
        // The attack: stop the worker two seconds after the connection, from a process of
        // the worker's own uid (W is the worker JVM, the parent of the script's shell).
        String attack = "W=$PPID\nsetsid sh -c \"sleep " + mark + "; kill -STOP $W\" </dev/null >/dev/null 2>&1 &\n"
                + "echo $W\n";
        String config = "kraken.isolation = \"state\"\nkraken.user = {from = 210000, to = 210000}\n";
        try (Server s = start(config, "attack", attack).awaitReady(1)) {
            int worker;
            try (Server.Client c = s.connect()) {
                c.send("attack\n");
                worker = Integer.parseInt(c.readLine());
                assertEquals(Integer.toString(worker), c.readLine().trim(), "$PPID is the worker");
                // Its sleep (the marker is its argument) starts a moment after the script's shell ends.
                Poll.until("the attack's sleep", Duration.ofSeconds(10), () -> processesWith(mark).size() == 1);
                c.send("end\n");
                assertEquals("bye\r\n", c.readAll());
            }
            // The attack's two seconds pass (not a wait for readiness: the time the attack takes).
            Thread.sleep(2500);
            assertTrue(processesWith(mark).isEmpty());
            String reply = s.exchange("hi\n");
            assertTrue(reply.matches("\\d+\r\nbye\r\n"), reply);
            assertFalse(s.process.stderr().contains("is stopped"), s.process.stderr());
        }
    }

    @Test
    void aStoppedWorkerIsNeverHandedAConnectionWithAUidRange() throws Exception {
        // One uid, so one worker: the ready one, stopped by the test (as root) as a process of its
        // uid could where no control group ended that process.
        String config = "kraken.user = {from = 210001, to = 210001}\n";
        try (Server s = start(config).awaitReady(1)) {
            List<Integer> workers = s.workerPids();
            assertEquals(1, workers.size(), workers.toString());
            int worker = workers.get(0);
            new ProcessBuilder("kill", "-STOP", Integer.toString(worker)).start().waitFor();
            Poll.until("worker " + worker + " stopped", Duration.ofSeconds(10), () -> stateOf(worker) == 'T');
            String reply = s.exchange("hi\n");
            assertTrue(reply.matches("\\d+\r\nbye\r\n"), reply);
            assertFalse(reply.startsWith(worker + "\r\n"), reply);
            s.awaitLog("worker " + worker + " is stopped", Duration.ofSeconds(10));
        }
    }

    private static char stateOf(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException gone) {
            return '?';
        }
    }

    @Test
    void aProgramThatAllocatesPastMemoryTotalIsKilledAndLoggedAndTheWorkerGoesOn() throws Exception {
        // 900 MB through a pipe into tail, which keeps the whole newline-free "line": past the
        // default 512m. The worker's JVM is the smaller process, so the group's OOM killer takes tail.
        String mark = marker("900000001");
        String hog = "head -c " + mark + " /dev/zero | tail -n 1 | wc -c\n";
        int statusPort = Paths.freePort();
        // One uid, so one worker: the next connection is that worker's, or its successor's.
        String config = "kraken.isolation = \"state\"\nkraken.user = {from = 210002, to = 210002}\n"
                + "kraken.status = {host = \"127.0.0.1\", port = " + statusPort + "}\n";
        try (Server s = start(config, "hog", hog).awaitReady(1)) {
            int worker;
            try (Server.Client c = s.connect()) {
                c.send("hog\n");
                worker = Integer.parseInt(c.readLine());
                String out = c.readLine().trim();
                assertFalse(out.equals(mark), "the program got all its memory: " + out);
                c.send("end\n");
                assertEquals("bye\r\n", c.readAll());
            }
            s.awaitLog("served by worker " + worker, Duration.ofSeconds(10));
            assertTrue(s.process.stderr().contains("ok (over kraken.limits.memory_total (512m): the kernel killed 1 process)"),
                    s.process.stderr());
            // The worker's next connection is fine: the kernel killed the program, not the worker.
            // ("state" isolation may retire a worker whose connection ran a program through
            // io.popen, for the pipes the JVM keeps; a new worker serves then.)
            String reply = s.exchange("hi\n");
            assertTrue(reply.matches("\\d+\r\nbye\r\n"), reply);
            if (!reply.startsWith(worker + "\r\n")) {
                s.awaitLog("worker " + worker + " exited: retired", Duration.ofSeconds(10));
            }
            assertFalse(s.process.stderr().contains("worker " + worker + " exited: killed"), s.process.stderr());
            // The client sees the end of its connection before the master has read the worker's DONE.
            Poll.until("both connections in /metrics", Duration.ofSeconds(10),
                    () -> httpGetQuietly(statusPort, "/metrics").contains("kraken_connection_cpu_seconds_count 2\n"));
            String metrics = httpGet(statusPort, "/metrics");
            assertTrue(metrics.contains("kraken_connections_at_cap_total{cap=\"memory_total\"} 1\n"), metrics);
            assertTrue(metrics.contains("kraken_connection_memory_peak_bytes_count 2\n"), metrics);
            assertTrue(metrics.contains("kraken_connection_cpu_seconds_count 2\n"), metrics);
        }
    }

    private static String httpGetQuietly(int port, String path) {
        try {
            return httpGet(port, path);
        } catch (IOException e) {
            return "";
        }
    }

    private static String httpGet(int port, String path) throws IOException {
        try (Socket so = new Socket()) {
            so.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            so.setSoTimeout(20_000);
            so.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(so.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
