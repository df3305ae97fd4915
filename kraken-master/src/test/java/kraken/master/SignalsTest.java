package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import kraken.testing.KrakenProcess;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** docs/signals.md and SIGNALS.md, with real signals to a real master. */
@Tag("integration")
@Timeout(120)
class SignalsTest {
    @TempDir
    Path dir;

    /** Sends VERSION, waits for a line, answers; prints after loop() returns. */
    private static String versioned(String version) {
        return """
                local app = coroutine.create(function (skt, addr)
                  skt:send("VERSION")
                  skt:receive()
                  skt:send("bye from VERSION")
                end)
                assert(kraken.registerApplication(app))
                assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
                print("loop returned", kraken.loop())
                print("after loop")
                """.replace("VERSION", version);
    }

    @Test
    void termStopsGracefullyLettingBusyWorkersFinish() throws Exception {
        try (Server s = Server.start(dir, versioned("v1"), "").awaitReady(1)) {
            Server.Client busy = s.connect();
            assertEquals("v1", busy.readLine());
            s.process.signal("TERM");
            s.awaitLog("stopping: listeners closed", Duration.ofSeconds(10));
            s.process.await("the listener to close", Duration.ofSeconds(10), () -> !accepts(s.port));
            busy.send("done\n");
            assertEquals("bye from v1", busy.readLine());
            KrakenProcess.Result r = s.process.waitFor(Duration.ofSeconds(20));
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().endsWith("loop returned\ttrue\nafter loop\n"), r.toString());
            assertTrue(s.workerPids().isEmpty());
        }
    }

    @Test
    void intStopsAnIdleServerAndLoopReturnsTrue() throws Exception {
        try (Server s = Server.start(dir, versioned("v1"), "kraken.workers.spare = 3").awaitReady(3)) {
            s.process.signal("INT");
            KrakenProcess.Result r = s.process.waitFor(Duration.ofSeconds(20));
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().endsWith("loop returned\ttrue\nafter loop\n"), r.toString());
        }
    }

    @Test
    void busyWorkersAreKilledWhenTheGracePeriodEnds() throws Exception {
        try (Server s = Server.start(dir, versioned("v1"), "kraken.grace = 1").awaitReady(1)) {
            Server.Client busy = s.connect();
            assertEquals("v1", busy.readLine());
            s.process.signal("TERM");
            assertEquals("", busy.readAll()); // killed after one second, never answered
            KrakenProcess.Result r = s.process.waitFor(Duration.ofSeconds(20));
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stderr().contains("killed at the end of the grace period"), r.toString());
        }
    }

    @Test
    void hupReplacesIdleWorkersWithTheScriptAsItIsNowOnDisk() throws Exception {
        try (Server s = Server.start(dir, versioned("v1"), "").awaitReady(2)) {
            Server.Client busy = s.connect();
            assertEquals("v1", busy.readLine());
            Files.writeString(s.script, versioned("v2").replace("PORT", Integer.toString(s.port)));
            Files.writeString(s.dir.resolve("kraken.lua"), "kraken.limits.time = 77");
            s.process.signal("HUP");
            s.awaitLog("restarting workers (generation 1)", Duration.ofSeconds(10));
            assertTrue(s.process.stderr().contains("configuration reloaded: process isolation, workers spare 2 max 64,"
                    + " limits.time 77 s"), s.process.stderr());
            s.process.await("a v2 worker", Duration.ofSeconds(30), () -> {
                try (Server.Client c = s.connect()) {
                    String v = c.readLine();
                    c.send("x\n");
                    c.readAll();
                    return v.equals("v2");
                } catch (IOException e) {
                    return false;
                }
            });
            // The busy worker finishes on the old code.
            busy.send("done\n");
            assertEquals("bye from v1", busy.readLine());
            s.process.signal("USR1");
            s.awaitLog("status: workers", Duration.ofSeconds(10));
            assertTrue(s.process.stderr().contains("generation 1"), s.process.stderr());
        }
    }

    @Test
    void aBrokenConfigurationOnHupKeepsTheOldSettingsAndServes() throws Exception {
        try (Server s = Server.start(dir, versioned("v1"), "kraken.limits.time = 50").awaitReady(1)) {
            Files.writeString(s.dir.resolve("kraken.lua"), "kraken.workers.spare = 'many'");
            s.process.signal("HUP");
            s.awaitLog("reload: the configuration was not applied", Duration.ofSeconds(10));
            assertTrue(s.process.stderr().contains("kraken.workers.spare"), s.process.stderr());
            s.process.await("a v1 worker after the restart", Duration.ofSeconds(30), () -> s.count("ready in") >= 2);
            try (Server.Client c = s.connect()) {
                assertEquals("v1", c.readLine());
                c.send("x\n");
                assertEquals("bye from v1", c.readLine());
            }
        }
    }

    @Test
    void usr1WritesThePoolStatus() throws Exception {
        try (Server s = Server.start(dir, versioned("v1"), "kraken.workers.spare = 2").awaitReady(2)) {
            Server.Client c = s.connect();
            assertEquals("v1", c.readLine());
            c.send("x\n");
            assertEquals("bye from v1", c.readLine());
            s.awaitLog("served by worker", Duration.ofSeconds(10));
            s.process.signal("USR1");
            s.awaitLog("status: workers", Duration.ofSeconds(10));
            assertTrue(s.process.stderr().matches(
                    "(?s).*status: workers starting=\\d+ ready=\\d+ busy=0 finishing=\\d+ stopping=\\d+; "
                            + "connections served=1; spawn failures refused=0 died-before-ready=0.*"),
                    s.process.stderr());
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
