package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import kraken.testing.KrakenProcess;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kraken.limits.coroutines: a coroutine bomb (each LuaJ coroutine is a Java thread) stops at the
 * limit with "too many coroutines", sandboxed or not, while other clients are served; garbage
 * and finished coroutines free their slot and their thread; a connection's coroutine threads end
 * with it. The master runs under RLIMIT_NPROC (inherited by its workers), so that even a broken
 * limit could not endanger the machine.
 */
@Tag("integration")
@Timeout(180)
class CoroutineLimitTest {
    @TempDir
    Path dir;

    private static final int LIMIT = 200;

    private static final String SCRIPT = """
            local app = coroutine.create(function (skt, addr)
              local mode = skt:receive()
              if mode == "bomb" or mode == "wrapbomb" then
                local keep = {}
                local ok, err = pcall(function()
                  while true do
                    local co
                    if mode == "bomb" then
                      -- Holds itself on its own stack: never garbage while suspended.
                      co = coroutine.create(function()
                        local me = coroutine.running()
                        while true do coroutine.yield(me) end
                      end)
                      coroutine.resume(co)
                    else
                      co = coroutine.wrap(function() while true do coroutine.yield() end end)
                      co()
                    end
                    keep[#keep + 1] = co
                  end
                end)
                skt:send(#keep .. " " .. tostring(err))
                skt:receive()
              elseif mode == "garbage" then
                for i = 1, 2000 do
                  local co = coroutine.create(function() coroutine.yield() end)
                  coroutine.resume(co)
                  local done = coroutine.create(function() return 1 end)
                  coroutine.resume(done)
                end
                skt:send("garbage ok")
              end
              skt:send("fine")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    private static int threads(int pid) throws Exception {
        return Integer.parseInt(Server.statusField(pid, "Threads"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCoroutineBombStopsAtTheLimitAndOthersAreServed(boolean sandbox) throws Exception {
        String config = "kraken.isolation = 'state'\nkraken.workers.spare = 1\nkraken.workers.max = 2\n"
                + "kraken.limits.coroutines = " + LIMIT + "\nkraken.sandbox = " + sandbox + "\n";
        // The workers inherit the cap on processes and threads of their user.
        KrakenProcess.Builder b = KrakenProcess.builder().prefix("prlimit", "--nproc=4000:4000");
        try (Server s = Server.start(dir, SCRIPT, config, b).awaitReady(1)) {
            for (String mode : new String[] {"bomb", "wrapbomb"}) {
                List<Integer> before = s.workerPids();
                try (Server.Client bomb = s.connect()) {
                    bomb.send(mode + "\n");
                    String r = bomb.readLine();
                    // The application's own coroutine is one of the LIMIT.
                    assertTrue(r.startsWith((LIMIT - 1) + " ") && r.contains("too many coroutines"),
                            mode + ": " + r + "\n" + s.process.stderr());
                    int pid = busyWorker(s, before);
                    assertTrue(threads(pid) < LIMIT + 60, "threads of the bombing worker: " + threads(pid));
                    // Another client is served meanwhile.
                    try (Server.Client other = s.connect()) {
                        other.send("ok\n");
                        assertEquals("fine\r\n", other.readAll());
                    }
                    bomb.send("done\n");
                    assertEquals("fine\r\n", bomb.readAll());
                    // The connection's coroutine threads end with it; the worker lives on ("state").
                    Poll.until("the bomb's threads ended", Duration.ofSeconds(20), () -> {
                        try {
                            return threads(pid) < 60;
                        } catch (Exception gone) {
                            return false;
                        }
                    });
                }
            }
            // Garbage and finished coroutines free their slots: 4000 in all, 200 allowed at once.
            try (Server.Client c = s.connect()) {
                c.send("garbage\n");
                assertEquals("garbage ok\r\nfine\r\n", c.readAll(), s.process.stderr());
            }
            assertTrue(!s.process.stderr().contains("worker died"), s.process.stderr());
        }
    }

    // The worker serving the bomb: one that was alive before and has many threads now.
    private static int busyWorker(Server s, List<Integer> candidates) throws Exception {
        int best = -1;
        int most = -1;
        for (int pid : s.workerPids()) {
            int t = threads(pid);
            if (t > most) {
                most = t;
                best = pid;
            }
        }
        assertTrue(best > 0 && most > LIMIT - 10, "no worker with the bomb's threads: " + candidates);
        return best;
    }
}
