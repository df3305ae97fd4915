package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.testing.KrakenProcess;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The preforking master with real workers, real clients and the program every user writes (docs/lua-api.md). */
@Tag("integration")
@Timeout(120)
class MasterTest {
    @TempDir
    Path dir;

    @Test
    void specProgramByteForByte() throws Exception {
        try (Server s = Server.start(dir, Server.helloProgram(), "").awaitReady(1)) {
            Server.Client c = s.connect();
            assertEquals(">", c.read(1));
            int clientPort = c.socket.getLocalPort();
            c.send("hi\n");
            assertEquals("Ok\n\r\n", c.readAll());
            c.close();
            s.process.await("the application's print lines", Duration.ofSeconds(10),
                    () -> s.process.stdout().contains("Received: hi\n"));
            assertTrue(s.process.stdout().contains("Connection from 127.0.0.1:" + clientPort + "\nReceived: hi\n"),
                    s.process.stdout());
            s.awaitLog("served by worker", Duration.ofSeconds(10));
            assertTrue(s.process.stderr().matches("(?s).*connection from 127\\.0\\.0\\.1:" + clientPort
                    + " served by worker \\d+ in [0-9.]+ ms: ok.*"), s.process.stderr());
        }
    }

    @Test
    void concurrentClientsAreServedAtOnce() throws Exception {
        try (Server s = Server.start(dir, Server.helloProgram(), "kraken.workers.spare = 2").awaitReady(2)) {
            List<Server.Client> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Server.Client c = s.connect();
                // Each gets its prompt while the others still hold their connections open.
                assertEquals(">", c.read(1));
                clients.add(c);
            }
            for (Server.Client c : clients) {
                c.send("hi\n");
                assertEquals("Ok\n\r\n", c.readAll());
                c.close();
            }
        }
    }

    @Test
    void theCapMakesConnectionsWaitInTheBacklog() throws Exception {
        String config = "kraken.workers.spare = 1\nkraken.workers.max = 1\n";
        try (Server s = Server.start(dir, Server.helloProgram(), config).awaitReady(1)) {
            Server.Client first = s.connect();
            assertEquals(">", first.read(1));
            Server.Client second = s.connect(); // accepted by the kernel, not by the master
            second.socket.setSoTimeout(1500);
            try {
                second.read(1);
                throw new AssertionError("a second worker served beyond kraken.workers.max = 1");
            } catch (SocketTimeoutException expected) {
                // waiting in the backlog, as it should
            }
            second.socket.setSoTimeout(30_000);
            first.send("hi\n");
            assertEquals("Ok\n\r\n", first.readAll());
            assertEquals(">", second.read(1));
            second.send("hi\n");
            assertEquals("Ok\n\r\n", second.readAll());
        }
    }

    private static final String FORK_SEMANTICS = """
            counter = 0
            local shared = { n = 0 }
            local app = coroutine.create(function (skt, addr)
              counter = counter + 1
              shared.n = shared.n + 1
              local report = table.concat({ counter, shared.n, tostring(rawget(_G, "leaked")),
                tostring(package.loaded.leakymod), ("abc"):upper(), tostring(string.leaked) }, " ")
              leaked = true
              package.loaded.leakymod = true
              string.leaked = true
              getmetatable("").__index = { upper = function () return "EVIL" end }
              skt:send(report)
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void processIsolationShowsEveryConnectionTheStateAtLoop() throws Exception {
        try (Server s = Server.start(dir, FORK_SEMANTICS, "kraken.isolation = 'process'").awaitReady(1)) {
            for (int i = 0; i < 3; i++) {
                assertEquals("1 1 nil nil ABC nil\r\n", s.exchange(""));
            }
        }
    }

    @Test
    void stateIsolationShowsEveryConnectionTheStateAtLoop() throws Exception {
        String config = "kraken.isolation = 'state'\nkraken.workers.spare = 1\nkraken.workers.max = 1\n";
        try (Server s = Server.start(dir, FORK_SEMANTICS, config).awaitReady(1)) {
            for (int i = 0; i < 4; i++) {
                assertEquals("1 1 nil nil ABC nil\r\n", s.exchange(""));
            }
            // With one worker at most, one JVM served all four: the isolation was the Lua state's.
            // The master logs a connection after its client has the reply: wait for all four lines.
            s.process.await("four connections logged", Duration.ofSeconds(10), () -> s.count("served by worker") >= 4);
            Matcher m = Pattern.compile("served by worker (\\d+)").matcher(s.process.stderr());
            List<String> pids = new ArrayList<>();
            while (m.find()) {
                pids.add(m.group(1));
            }
            assertTrue(pids.size() >= 3 && pids.stream().distinct().count() == 1, s.process.stderr());
        }
    }

    private static final String YIELDING = """
            local yield = coroutine.yield
            local app
            app = coroutine.create(function (skt, addr)
              local function deep(n) if n == 0 then return yield("ignored") end return deep(n - 1) end
              local a = { yield(1, 2) }
              deep(3)
              local gen = coroutine.wrap(function () for i = 1, 3 do coroutine.yield(i) end end)
              local got = gen() .. "," .. gen() .. "," .. gen()
              skt:send(table.concat({ "resumed with " .. #a .. " values", "gen=" .. got,
                "running=" .. tostring(coroutine.running() == app), "status=" .. coroutine.status(app) }, " "))
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void theApplicationIsResumedWithNothingAfterEveryYieldUntilItFinishes() throws Exception {
        for (String isolation : new String[] {"process", "state"}) {
            try (Server s = Server.start(dir, YIELDING, "kraken.isolation = '" + isolation + "'").awaitReady(1)) {
                for (int i = 0; i < 2; i++) {
                    assertEquals("resumed with 0 values gen=1,2,3 running=true status=running\r\n", s.exchange(""),
                            isolation);
                }
            }
        }
    }

    @Test
    void sandboxedWorkersGetOnlyTheSandboxedLibraries() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("greeting.lua"), "return { text = 'hello from a module' }");
        dir.resolve("greeting.lua").toFile().setReadable(true, false);
        String script = """
                local greeting = require("greeting")
                local app = coroutine.create(function (skt, addr)
                  skt:send(table.concat({ greeting.text, tostring(io), tostring(os.execute), tostring(debug),
                    tostring(luajava), tostring(dofile), tostring(package.loadlib), type(os.time()) }, " "))
                end)
                assert(kraken.registerApplication(app))
                assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
                assert(kraken.loop())
                """;
        try (Server s = Server.start(dir, script, "kraken.sandbox = true").awaitReady(1)) {
            assertEquals("hello from a module nil nil nil nil nil nil number\r\n", s.exchange(""));
        }
    }

    @Test
    void workersRunAsNobodyWithNothingElse() throws Exception {
        try (Server s = Server.start(dir, Server.helloProgram(), "kraken.workers.spare = 1").awaitReady(1)) {
            List<Integer> pids = s.workerPids();
            assertFalse(pids.isEmpty());
            for (int pid : pids) {
                assertEquals("65534\t65534\t65534\t65534", Server.statusField(pid, "Uid"));
                assertEquals("65534\t65534\t65534\t65534", Server.statusField(pid, "Gid"));
                assertEquals("65534", Server.statusField(pid, "Groups"));
                assertEquals("0000000000000000", Server.statusField(pid, "CapEff"));
                assertEquals("0000000000000000", Server.statusField(pid, "CapPrm"));
            }
        }
    }

    @Test
    void workersRefuseRootUnlessAllowed() throws Exception {
        String refused = Server.helloProgram().replace("assert(kraken.loop())", "print(kraken.registerUser('root'))");
        try (Server s = Server.start(dir, refused, "")) {
            KrakenProcess.Result r = s.process.waitFor(Duration.ofSeconds(30));
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().startsWith("nil\t") && r.stdout().contains("root"), r.toString());
        }
        String script = Server.helloProgram().replace("assert(kraken.loop())",
                "assert(kraken.registerUser('root'))\nassert(kraken.loop())");
        try (Server s = Server.start(dir, script, "kraken.allow_root = true").awaitReady(1)) {
            for (int pid : s.workerPids()) {
                assertEquals("0\t0\t0\t0", Server.statusField(pid, "Uid"));
            }
        }
    }

    @Test
    void aWorkerHoldsOnlyItsStreamsItsLinkAndItsConnection() throws Exception {
        try (Server s = Server.start(dir, Server.helloProgram(), "kraken.workers.spare = 1\nkraken.workers.max = 1")
                .awaitReady(1)) {
            int pid = s.workerPids().get(0);
            assertEquals(1, sockets(pid).size(), "idle worker: " + Server.descriptors(pid));
            Server.Client c = s.connect();
            assertEquals(">", c.read(1));
            List<String> busy = sockets(pid);
            assertEquals(2, busy.size(), "busy worker: " + Server.descriptors(pid));
            for (String d : Server.descriptors(pid)) {
                // Beyond the three streams and two sockets, only the JVM's own read-only code files.
                String target = d.substring(d.indexOf(" -> ") + 4);
                int fd = Integer.parseInt(d.substring(0, d.indexOf(' ')));
                assertTrue(fd <= 3 || target.startsWith("socket:") || target.endsWith(".jar")
                        || target.endsWith("/lib/modules") || target.contains("/target/classes"), d);
            }
            c.send("hi\n");
            assertEquals("Ok\n\r\n", c.readAll());
        }
    }

    private static List<String> sockets(int pid) throws Exception {
        List<String> out = new ArrayList<>();
        for (String d : Server.descriptors(pid)) {
            if (d.contains("socket:")) {
                out.add(d);
            }
        }
        return out;
    }
}
