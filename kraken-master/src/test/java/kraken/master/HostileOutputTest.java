package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's output and error messages against the master (docs/hostile-input.md): a flood on stderr,
 * with or without newlines, never grows the master or stalls dispatch, and nothing a script
 * writes can forge a line of the master's log.
 */
@Tag("integration")
@Timeout(180)
class HostileOutputTest {
    @TempDir
    Path dir;

    /** The line a client sends picks what the connection does. */
    private static final String SCRIPT = """
            local app = coroutine.create(function (skt, addr)
              local mode = skt:receive()
              if mode == "longline" then
                skt:send("flooding")
                local mb = string.rep("x", 1024 * 1024)
                for i = 1, 300 do io.stderr:write(mb) end
              elseif mode == "lines" then
                skt:send("flooding")
                local chunk = string.rep("spam line\\n", 10000)
                for i = 1, 200 do io.stderr:write(chunk) end
              elseif mode == "forge" then
                io.stderr:write("hello\\rkraken: worker 1 started\\27[2K\\n")
                error("boom\\nkraken: worker 1 started")
              end
              skt:send("ok")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    private static final String CONFIG = """
            kraken.isolation = "state"
            kraken.workers.spare = 2
            kraken.limits.time = 20
            """;

    @Test
    void aWorkerWritingHundredsOfMegabytesWithoutANewlineNeitherGrowsNorStallsTheMaster() throws Exception {
        try (Server s = Server.start(dir, SCRIPT, CONFIG, "-Xmx256m").awaitReady(2)) {
            assertEquals("ok\r\n", s.exchange("hi\n"));
            long before = rssKb(s);
            Server.Client flood = s.connect();
            flood.send("longline\n");
            assertEquals("flooding", flood.readLine());
            long worst = servePromptlyWhile(s, 40);
            long after = rssKb(s);
            s.awaitLog("[line cut at 4096 bytes]", Duration.ofSeconds(10));
            // The logged line holds the first 4096 bytes and says it was cut; nothing longer is logged.
            for (String line : s.process.stderr().split("\n")) {
                assertTrue(line.length() < 4096 + 200, "a log line of " + line.length() + " characters");
            }
            assertTrue(Math.max(worst, after) < before + 150 * 1024,
                    "master VmRSS grew from " + before + " kB to " + Math.max(worst, after) + " kB");
            flood.close();
            assertTrue(s.process.process().isAlive());
        }
    }

    @Test
    void aWorkerFloodingLinesIsRateLimitedAndOthersAreServed() throws Exception {
        try (Server s = Server.start(dir, SCRIPT, CONFIG).awaitReady(2)) {
            long t0 = System.nanoTime();
            Server.Client flood = s.connect();
            flood.send("lines\n");
            assertEquals("flooding", flood.readLine());
            servePromptlyWhile(s, 20);
            flood.close();
            double seconds = (System.nanoTime() - t0) / 1e9 + 5;
            s.awaitLog("lines of output dropped", Duration.ofSeconds(30));
            // 2,000,000 lines written; the log gets a burst of 200 and then 100 a second.
            int relayed = s.count(": spam line");
            assertTrue(relayed <= StderrRelay.LINE_BURST + StderrRelay.LINES_PER_SECOND * seconds,
                    relayed + " lines relayed in " + seconds + " s");
            assertTrue(relayed > 0);
        }
    }

    @Test
    void nothingAWorkerWritesCanForgeALogLine() throws Exception {
        try (Server s = Server.start(dir, SCRIPT, CONFIG).awaitReady(2)) {
            int startedBefore = s.count("worker 1 started");
            s.exchange("forge\n");
            s.awaitLog("boom", Duration.ofSeconds(10));
            s.awaitLog("hello", Duration.ofSeconds(10));
            String log = s.process.stderr();
            assertEquals(0, startedBefore);
            for (String line : log.split("\n", -1)) {
                assertTrue(!line.startsWith("kraken: worker 1 started"), "forged line in:\n" + log);
                assertTrue(line.indexOf('\r') < 0 && line.indexOf('\u001b') < 0, "control character in: " + line);
            }
            List<String> boom = new ArrayList<>();
            for (String line : log.split("\n")) {
                if (line.contains("boom")) {
                    boom.add(line);
                }
            }
            assertEquals(1, boom.size(), log);
            assertTrue(boom.get(0).contains("boom\\nkraken: worker 1 started"), boom.get(0));
            assertTrue(log.contains("hello\\rkraken: worker 1 started\\x1b[2K"), log);
        }
    }

    /** Serves n ordinary connections, one after another, each within a deadline; returns the worst master VmRSS. */
    private static long servePromptlyWhile(Server s, int n) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        long worst = 0;
        try {
            for (int i = 0; i < n; i++) {
                Future<String> f = pool.submit(() -> s.exchange("hi\n"));
                assertEquals("ok\r\n", f.get(10, TimeUnit.SECONDS), "connection " + i);
                worst = Math.max(worst, rssKb(s));
            }
        } finally {
            pool.shutdownNow();
        }
        return worst;
    }

    static long rssKb(Server s) throws Exception {
        String v = Server.statusField((int) s.process.pid(), "VmRSS");
        return Long.parseLong(v.replaceAll("[^0-9]", ""));
    }
}
