package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/hostile-input.md, exit statuses are protocol: out of memory, kraken.limits.cpu and kills end one
 * connection, are logged as such and never throttle spawning; limits.cpu is per connection in
 * "state" isolation; kraken.loop() inside a connection is an ordinary failure.
 */
@Tag("integration")
@Timeout(240)
class WorkerEndTest {
    @TempDir
    Path dir;

    /** Sends the worker's pid, then does what the client's line says. */
    private static final String MODAL = Server.PID_FUNCTION + """
            local function burn(seconds)
              local t0 = os.clock()
              local x = 0
              while os.clock() - t0 < seconds do x = x + 1 end
            end
            local app = coroutine.create(function (skt, addr)
              skt:send(tostring(pid()))
              local mode = skt:receive()
              if mode == "bomb" then
                local t = {}
                for i = 1, 1e9 do t[i] = string.rep("x", 65536) .. i end
              elseif mode == "hog" then
                while true do end
              elseif mode == "burn" then
                burn(1.2)
              elseif mode and mode:match("^exit ") then
                os.exit(tonumber(mode:sub(6)))
              elseif mode == "loop" then
                local ok, a, b = pcall(kraken.loop)
                skt:send(tostring(ok) .. " " .. tostring(a) .. " " .. tostring(b))
              end
              skt:send("fine")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    private static String ask(Server s, String mode) throws Exception {
        try (Server.Client c = s.connect()) {
            String pid = c.readLine();
            c.send(mode + "\n");
            return pid + ": " + c.readAll();
        }
    }

    @Test
    void sixteenMemoryBombsAndForgedExitStatusesDoNotThrottleSpawning() throws Exception {
        try (Server s = Server.start(dir, MODAL, "kraken.limits.memory = '24m'").awaitReady(1)) {
            for (int i = 0; i < 16; i++) {
                String r = ask(s, "bomb");
                assertFalse(r.contains("fine"), r);
            }
            // A script's os.exit() can return any number, Kraken's own included.
            for (String code : new String[] {"3", "10", "1"}) {
                assertFalse(ask(s, "exit " + code).contains("fine"));
            }
            s.process.await("sixteen out-of-memory exits", Duration.ofSeconds(60),
                    () -> s.count("exited: out of memory (kraken.limits.memory 24m)") >= 17);
            // A normal client is served at once: no back-off holds the pool.
            assertTrue(ask(s, "ok").endsWith("fine\r\n"), s.process.stderr());
            String log = s.process.stderr();
            assertFalse(log.contains("failed before it was ready"), log);
            assertFalse(log.contains("next start in"), log);
            assertTrue(log.contains("served by worker") && log.contains("worker died: out of memory"), log);
        }
    }

    @Test
    void loopInsideAConnectionReturnsNilAndAMessage() throws Exception {
        try (Server s = Server.start(dir, MODAL, "").awaitReady(1)) {
            String r = ask(s, "loop");
            // pcall succeeds: loop() returned nil and its message rather than raising past pcall.
            assertTrue(r.endsWith(": true nil kraken.loop: already serving (called from inside a connection)\r\n"
                    + "fine\r\n"), r);
            assertTrue(ask(s, "ok").endsWith("fine\r\n"));
            assertFalse(s.process.stderr().contains("worker died"), s.process.stderr());
        }
    }

    @Test
    void stateIsolationCountsCpuPerConnection() throws Exception {
        String config = "kraken.isolation = 'state'\nkraken.workers.spare = 1\nkraken.workers.max = 1\n"
                + "kraken.limits.cpu = 2\n";
        try (Server s = Server.start(dir, MODAL, config).awaitReady(1)) {
            // Two connections of 1.2 s each on one worker: 2.4 s in all, over the limit of 2 s,
            // but each under it. Neither may be killed for the other's CPU.
            String first = ask(s, "burn");
            String second = ask(s, "burn");
            assertTrue(first.endsWith(": fine\r\n"), first + "\n" + s.process.stderr());
            assertTrue(second.endsWith(": fine\r\n"), second + "\n" + s.process.stderr());
            assertEquals(first.substring(0, first.indexOf(':')), second.substring(0, second.indexOf(':')),
                    "both served by the same worker");
            String hog = ask(s, "hog");
            assertFalse(hog.contains("fine"), hog);
            s.awaitLog("exited: CPU limit (kraken.limits.cpu 2 s)", Duration.ofSeconds(30));
            assertTrue(ask(s, "ok").endsWith("fine\r\n"), s.process.stderr());
            assertFalse(s.process.stderr().contains("failed before it was ready"), s.process.stderr());
        }
    }

    @Test
    void processIsolationNamesTheCpuLimit() throws Exception {
        try (Server s = Server.start(dir, MODAL, "kraken.limits.cpu = 2").awaitReady(1)) {
            String hog = ask(s, "hog");
            assertFalse(hog.contains("fine"), hog);
            s.awaitLog("exited: CPU limit (kraken.limits.cpu 2 s)", Duration.ofSeconds(30));
            assertTrue(s.process.stderr().contains("worker died: CPU limit"), s.process.stderr());
            assertTrue(ask(s, "ok").endsWith("fine\r\n"), s.process.stderr());
        }
    }
}
