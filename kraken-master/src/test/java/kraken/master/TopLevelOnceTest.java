package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * docs/processes.md, "Who runs what": the top level runs once, and every
 * connection, whichever worker serves it and in either isolation, starts from a copy of the state
 * it left at kraken.loop().
 */
@Tag("integration")
@Timeout(180)
class TopLevelOnceTest {
    @TempDir
    Path dir;

    static final String DRAWING = Server.PID_FUNCTION + """
            print("TOP LEVEL RAN")
            local f = assert(io.open("DIR/drawn.txt"))
            local content = f:read("*l")
            f:close()
            drawn = math.random(1000000000)
            local clock = string.format("%.9f", os.clock())
            local n = 0
            local function inc() n = n + 1 return n end
            local function get() return n end
            counter = 0
            local app = coroutine.create(function (skt, addr)
              inc()
              counter = counter + 1
              string.seen = (string.seen or 0) + 1
              skt:send(table.concat({drawn, math.random(1000000000), clock, content, get(), counter, string.seen,
                                     pid()}, " ") .. "\\n")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @ParameterizedTest
    @ValueSource(strings = {"process", "state"})
    void theTopLevelRunsOnceAndEveryConnectionStartsFromItsState(String isolation) throws Exception {
        Files.writeString(dir.resolve("drawn.txt"), "contents-" + System.nanoTime() + "\n");
        String config = "kraken.isolation = '" + isolation + "'\nkraken.workers.spare = 2\n"
                + "kraken.workers.connections = 3\n";
        try (Server s = Server.start(dir, DRAWING.replace("DIR", dir.toString()), config).awaitReady(2)) {
            List<String> replies = new ArrayList<>();
            Set<String> pids = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                try (Server.Client c = s.connect()) {
                    String line = c.readLine().trim();
                    replies.add(line.substring(0, line.lastIndexOf(' ')));
                    pids.add(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            assertTrue(pids.size() >= 2, "served by one worker only: " + pids);
            String first = replies.get(0);
            for (String r : replies) {
                assertEquals(first, r, "a connection saw another state than the first: " + replies);
            }
            String[] f = first.split(" ");
            assertEquals(Files.readString(dir.resolve("drawn.txt")).trim(), f[3]);
            // inc() and get() share n; the connection's own changes (n, a global, a library
            // table) start from the image again in the next connection.
            assertEquals("1 1 1", f[4] + " " + f[5] + " " + f[6], first);
            s.awaitLog("served by worker", Duration.ofSeconds(10));
            assertEquals(1, count(s.process.stdout(), "TOP LEVEL RAN"), s.process.stdout());
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private KrakenProcess.Result runToLoop(String top, String config) throws Exception {
        int port = Paths.freePort();
        // Under a root kraken the script runs as nobody, in a process of its own.
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        Path script = dir.resolve("server.lua");
        Files.writeString(script, top + "\nlocal app = coroutine.create(function () end)\n"
                + "assert(kraken.registerApplication(app))\n"
                + "assert(kraken.registerAddress { host = '127.0.0.1', port = " + port + " })\n"
                + "print(kraken.loop())\n");
        Path conf = dir.resolve("kraken.lua");
        Files.writeString(conf, config);
        script.toFile().setReadable(true, false);
        return KrakenProcess.run(Duration.ofSeconds(60), "--config", conf.toString(), script.toString());
    }

    @Test
    void whatCannotBeCopiedMakesLoopFailNamingTheValueAndWhereItIs() throws Exception {
        KrakenProcess.Result r = runToLoop("log = io.open('/dev/null')", "");
        assertTrue(r.stdout().startsWith("nil\tkraken.loop: the state cannot be copied into the workers: a file")
                && r.stdout().contains("(global 'log')"), r.toString());
        r = runToLoop("local f = io.open('/dev/null')\nfunction handler() return f end", "");
        assertTrue(r.stdout().contains("(upvalue 'f' of function at ") && r.stdout().contains("server.lua:2)"),
                r.toString());
        r = runToLoop("co = coroutine.create(function () coroutine.yield() end) coroutine.resume(co)", "");
        assertTrue(r.stdout().contains("a coroutine that has started (global 'co')"), r.toString());
        r = runToLoop("t = {list = {coroutine.wrap(function () end)}}", "");
        assertTrue(r.stdout().contains("a function made by a library") && r.stdout().contains("[1] of field 'list' of global 't'"),
                r.toString());
    }

    @Test
    void anImageTooLargeForTheWorkersHeapIsRefusedAndTheCommandGoesOn() throws Exception {
        KrakenProcess.Result r = runToLoop("big = {} for i = 1, 2000000 do big[i] = {i} end",
                "kraken.limits.memory = '16m'");
        assertTrue(r.stdout().startsWith("nil\tkraken.loop: the state is too large")
                && r.stdout().contains("kraken.limits.memory"), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void deepNestingAndCyclesThroughMetatablesAreCopiedIntoEveryWorker() throws Exception {
        String script = """
                local t = {} deep = t for i = 1, 100000 do t[1] = {} t = t[1] end t.last = "bottom"
                local a, b = {}, {} setmetatable(a, b) setmetatable(b, a) a.__index = a b.__index = b b.x = "cycle"
                local app = coroutine.create(function (skt)
                  local t, d = deep, 0 while t[1] do t, d = t[1], d + 1 end
                  skt:send(d .. " " .. t.last .. " " .. a.x .. " " .. tostring(getmetatable(getmetatable(a)) == a) .. "\\n")
                end)
                assert(kraken.registerApplication(app))
                assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
                assert(kraken.loop())
                """;
        try (Server s = Server.start(dir, script, "kraken.isolation = 'state'\n").awaitReady(1)) {
            for (int i = 0; i < 3; i++) {
                try (Server.Client c = s.connect()) {
                    assertEquals("100000 bottom cycle true", c.readLine().trim());
                }
            }
        }
    }
}
