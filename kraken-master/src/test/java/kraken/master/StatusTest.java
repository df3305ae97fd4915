package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kraken.status (docs/operations.md): the real kraken serves connections while its /metrics is
 * scraped and parsed by the Prometheus client library's own parser (Debian's
 * python3-prometheus-client, installed by `make test`), /status and `kraken status` print the
 * pool, the Unix-domain variant works and its file goes at the stop, and hostile status clients
 * neither stall dispatch nor the status server.
 */
@Tag("integration")
@Timeout(180)
class StatusTest {
    private static final String PYTHON = "/usr/bin/python3";
    /** Serves like the program every user writes, but a line "boom" raises an error in the application. */
    private static final String SCRIPT = String.join("\n",
            "local app = coroutine.create(function (skt, addr)",
            "  skt:rawsend('>')",
            "  local line = skt:receive()",
            "  if line == 'boom' then error('boom on purpose') end",
            "  skt:send('Ok')",
            "end)",
            "assert(kraken.registerApplication(app))",
            "assert(kraken.registerAddress { host = '127.0.0.1', port = PORT })",
            "assert(kraken.loop())",
            "");

    @TempDir
    Path dir;

    @Test
    void metricsParseWithPrometheusOwnParserAndCountWhatHappened() throws Exception {
        int statusPort = Paths.freePort();
        String config = "kraken.isolation = 'state'\nkraken.workers.spare = 2\nkraken.workers.max = 8\n"
                + "kraken.status = {host = '127.0.0.1', port = " + statusPort + "}\n";
        try (Server s = Server.start(dir, SCRIPT, config)) {
            s.awaitReady(2);
            s.awaitLog("status and metrics on 127.0.0.1:" + statusPort, Duration.ofSeconds(10));
            int n = 7;
            for (int i = 0; i < n; i++) {
                assertEquals(">Ok\r\n", s.exchange("hi\n"));
            }
            assertEquals(">", s.exchange("boom\n"));
            // A worker reports DONE just after the client sees the close: poll for the counts.
            Map<String, Double>[] last = new Map[1];
            Poll.until("metrics counting " + (n + 1) + " connections", Duration.ofSeconds(30), () -> {
                last[0] = scrape(statusPort);
                return last[0].getOrDefault("kraken_connection_duration_seconds_count{}", 0.0) == n + 1;
            });
            Map<String, Double> m = last[0];
            assertEquals(n, m.get("kraken_connections_total{outcome=ok}"), m.toString());
            assertEquals(1.0, m.get("kraken_connections_total{outcome=error}"), m.toString());
            assertEquals(0.0, m.get("kraken_connections_total{outcome=killed}"));
            assertEquals(0.0, m.get("kraken_connections_total{outcome=dropped}"));
            assertEquals(n + 1, m.get("kraken_connections_accepted_total{}"));
            assertEquals(n + 1, m.get("kraken_connection_duration_seconds_bucket{le=+Inf}"));
            assertTrue(m.get("kraken_connection_duration_seconds_sum{}") > 0);
            assertTrue(m.get("kraken_worker_spawns_total{}") >= 2);
            assertEquals(0.0, m.get("kraken_spawn_refusals_total{}"));
            assertEquals(0.0, m.get("kraken_worker_boot_failures_total{}"));
            assertEquals(0.0, m.get("kraken_listen_queue{listener=127.0.0.1:" + s.port + "}"));
            assertEquals(1024.0, m.get("kraken_listen_queue_limit{listener=127.0.0.1:" + s.port + "}"));
            assertEquals(8.0, m.get("kraken_workers_max{}"));
            double workers = 0;
            for (String st : List.of("starting", "ready", "busy", "finishing", "stopping")) {
                workers += m.get("kraken_workers{state=" + st + "}");
            }
            assertEquals(s.workerPids().size(), workers, 1.0, "workers by state against the master's children");
            // The types, as the parser read them from the TYPE lines.
            Map<String, String> types = types(httpGet(statusPort, "/metrics", "HTTP/1.1").body());
            assertEquals("gauge", types.get("kraken_workers"));
            assertEquals("counter", types.get("kraken_connections"));
            assertEquals("counter", types.get("kraken_connections_refused"));
            assertEquals("histogram", types.get("kraken_connection_duration_seconds"));
            assertEquals("counter", types.get("kraken_worker_spawns"));
            assertEquals("counter", types.get("kraken_spawn_refusals"));
            assertEquals("counter", types.get("kraken_worker_boot_failures"));
            assertEquals("gauge", types.get("kraken_listen_queue"));

            Http r = httpGet(statusPort, "/metrics", "HTTP/1.0");
            assertTrue(r.head().startsWith("HTTP/1.0 200 OK\r\n"), r.head());
            assertTrue(r.head().contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), r.head());
            Http st = httpGet(statusPort, "/status", "HTTP/1.1");
            assertTrue(st.head().startsWith("HTTP/1.1 200 OK\r\n"), st.head());
            assertTrue(st.body().contains("accepted connections:    " + (n + 1) + "\n"), st.body());
            assertTrue(st.body().contains("ended connections:       " + n + " ok, 1 error, 0 killed"), st.body());
            assertTrue(st.body().matches("(?s).*idle workers: +\\d+\n.*busy workers: +\\d+\n.*"), st.body());
            assertTrue(st.body().contains("listen queue 127.0.0.1:" + s.port + ": 0 of 1024\n"), st.body());
            assertTrue(st.body().contains("max children reached:    0\n"), st.body());
            assertTrue(st.body().contains("pid:                     " + s.process.pid() + "\n"), st.body());

            // `kraken status` reads kraken.status from the same configuration and prints the page.
            KrakenProcess.Result cmd = KrakenProcess.run(Duration.ofSeconds(60), "status", "--config",
                    s.dir.resolve("kraken.lua").toString());
            assertEquals(0, cmd.exitCode(), cmd.toString());
            assertTrue(cmd.stdout().contains("accepted connections:    " + (n + 1) + "\n"), cmd.toString());
            assertTrue(cmd.stdout().startsWith("pid:                     " + s.process.pid() + "\n"), cmd.toString());
            KrakenProcess.Result met = KrakenProcess.run(Duration.ofSeconds(60), "--config",
                    s.dir.resolve("kraken.lua").toString(), "status", "--metrics");
            assertEquals(0, met.exitCode(), met.toString());
            assertEquals(n, parse(met.stdout()).get("kraken_connections_total{outcome=ok}"));

            assertTrue(httpGet(statusPort, "/", "HTTP/1.1").head().startsWith("HTTP/1.1 404 "));
            assertTrue(raw(statusPort, "POST /metrics HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405 "));
            assertTrue(raw(statusPort, "GET /metrics HTTP/2.0\r\n\r\n").startsWith("HTTP/1.1 505 "));
            assertTrue(raw(statusPort, "hello\r\n\r\n").startsWith("HTTP/1.0 400 "));
            String head = raw(statusPort, "HEAD /status HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n") && head.endsWith("\r\n\r\n"), head);
        }
        // Stopped: `kraken status` says no master answers, with the LSB "not running" status.
        Path conf = dir.resolve("kraken.lua");
        KrakenProcess.Result gone = KrakenProcess.run(Duration.ofSeconds(60), "status", "--config", conf.toString());
        assertEquals(3, gone.exitCode(), gone.toString());
        assertTrue(gone.stderr().startsWith("kraken: status: no master answers at 127.0.0.1:" + statusPort + ": "),
                gone.toString());
    }

    @Test
    void aUnixDomainStatusSocketServesAndIsRemovedAtTheStop() throws Exception {
        Path sock = dir.resolve("kraken.status");
        Files.writeString(dir.resolve("placeholder"), "");
        try (Server s = Server.start(dir, SCRIPT, "kraken.status = {path = '" + sock + "'}\n")) {
            s.awaitReady(2);
            s.awaitLog("status and metrics on " + sock, Duration.ofSeconds(10));
            assertEquals(">Ok\r\n", s.exchange("hi\n"));
            Poll.until("one connection counted", Duration.ofSeconds(30), () -> {
                try {
                    return unixGet(sock, "/status").contains("ended connections:       1 ok");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Map<String, Double> m = parse(body(unixGet(sock, "/metrics")));
            assertEquals(1.0, m.get("kraken_connections_total{outcome=ok}"));
            KrakenProcess.Result cmd = KrakenProcess.run(Duration.ofSeconds(60), "status", "--config",
                    s.dir.resolve("kraken.lua").toString());
            assertEquals(0, cmd.exitCode(), cmd.toString());
            assertTrue(cmd.stdout().contains("ended connections:       1 ok"), cmd.toString());
            s.process.signal("TERM");
            assertTrue(s.process.process().waitFor(60, TimeUnit.SECONDS), "the master stops");
            assertFalse(Files.exists(sock), "the socket file is removed at the stop");
        }
        // A socket file left by a master that died is replaced at the next start.
        try (SocketChannel stale = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // bind without listening, then close: a socket file nobody answers on
            stale.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock));
        try (Server s = Server.start(dir, SCRIPT, "kraken.status = {path = '" + sock + "'}\n")) {
            s.awaitReady(1);
            s.awaitLog("status and metrics on " + sock, Duration.ofSeconds(10));
            assertTrue(unixGet(sock, "/status").startsWith("HTTP/1.0 200 OK"));
        }
    }

    @Test
    void hostileStatusClientsNeitherStallDispatchNorTheStatusServer() throws Exception {
        int statusPort = Paths.freePort();
        String config = "kraken.isolation = 'state'\nkraken.status = {host = '127.0.0.1', port = " + statusPort + "}\n";
        List<Socket> silent = new ArrayList<>();
        try (Server s = Server.start(dir, SCRIPT, config)) {
            s.awaitReady(2);
            s.awaitLog("status and metrics on", Duration.ofSeconds(10));
            // Silent clients fill every slot but one; one more sends a byte every 200 ms, forever.
            for (int i = 0; i < 15; i++) {
                silent.add(connect(statusPort));
            }
            Socket dribbler = connect(statusPort);
            OutputStream dribble = dribbler.getOutputStream();
            long dribbleStart = System.nanoTime();
            Thread feeder = new Thread(() -> {
                try {
                    while (true) {
                        dribble.write('G');
                        dribble.flush();
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // cut off by the server, or the test is over
                }
            });
            feeder.setDaemon(true);
            feeder.start();
            // The cap is reached: the next status client is told so at once, not queued.
            Poll.until("the 17th status client refused", Duration.ofSeconds(20), () -> {
                try {
                    return raw(statusPort, "GET /status HTTP/1.1\r\n\r\n").startsWith("HTTP/1.0 503 ");
                } catch (IOException e) {
                    return false;
                }
            });
            // Meanwhile connections are served as usual.
            for (int i = 0; i < 10; i++) {
                assertEquals(">Ok\r\n", s.exchange("hi\n"));
            }
            // The dribbling client is cut off at the time-out although it never stops sending.
            dribbler.setSoTimeout(30_000);
            assertEquals(-1, readToEnd(dribbler.getInputStream()), "the slow client is closed by the server");
            long heldMs = (System.nanoTime() - dribbleStart) / 1_000_000;
            assertTrue(heldMs >= 4000, "closed after the 5 s limit, not before: " + heldMs + " ms");
            feeder.interrupt();
            dribbler.close();
            // The silent ones too; then the server answers again.
            for (Socket q : silent) {
                q.setSoTimeout(30_000);
                assertEquals(-1, readToEnd(q.getInputStream()));
            }
            Map<String, Double>[] last = new Map[1];
            Poll.until("10 connections in the metrics", Duration.ofSeconds(30), () -> {
                last[0] = scrape(statusPort);
                return last[0].get("kraken_connections_total{outcome=ok}") == 10;
            });
            // An endless request head is refused at its size limit, not buffered.
            String big = "GET /metrics HTTP/1.1\r\nX: " + "a".repeat(9000);
            assertTrue(raw(statusPort, big).startsWith("HTTP/1.0 431 "));
            assertTrue(s.process.process().isAlive());
        } finally {
            for (Socket q : silent) {
                q.close();
            }
        }
    }

    /**
     * With the only worker busy, connections wait in the kernel's backlog: the listen queue counts
     * them as /proc/net/tcp's rx_queue of the listening row does (the independent oracle), and
     * "max children reached" counts the moment.
     */
    @Test
    void theListenQueueCountsConnectionsWaitingInTheBacklog() throws Exception {
        int statusPort = Paths.freePort();
        String config = "kraken.workers.spare = 1\nkraken.workers.max = 1\n"
                + "kraken.status = {host = '127.0.0.1', port = " + statusPort + "}\n";
        List<Server.Client> waiting = new ArrayList<>();
        try (Server s = Server.start(dir, SCRIPT, config)) {
            s.awaitReady(1);
            s.awaitLog("status and metrics on", Duration.ofSeconds(10));
            Server.Client busy = s.connect();
            assertEquals(">", busy.read(1)); // the one worker now waits for this client's line
            for (int i = 0; i < 3; i++) {
                waiting.add(s.connect());
            }
            String listener = "kraken_listen_queue{listener=127.0.0.1:" + s.port + "}";
            Map<String, Double>[] last = new Map[1];
            Poll.until("3 connections in the listen queue", Duration.ofSeconds(30), () -> {
                last[0] = scrape(statusPort);
                return last[0].get(listener) == 3.0;
            });
            assertEquals(3, procNetTcpQueue(s.port), "/proc/net/tcp agrees");
            assertEquals(1.0, last[0].get("kraken_max_workers_reached_total{}"), last[0].toString());
            assertEquals(1.0, last[0].get("kraken_workers{state=busy}"), last[0].toString());
            String page = httpGet(statusPort, "/status", "HTTP/1.1").body();
            assertTrue(page.contains("listen queue:            3\n"), page);
            assertTrue(page.contains("max children reached:    1 (now)\n"), page);
            busy.send("hi\n");
            assertEquals("Ok\r\n", busy.readAll());
            busy.close();
            for (Server.Client c : waiting) {
                assertEquals(">", c.read(1));
                c.send("hi\n");
                assertEquals("Ok\r\n", c.readAll());
            }
            Poll.until("the queue empties", Duration.ofSeconds(30), () -> scrape(statusPort).get(listener) == 0.0);
        } finally {
            for (Server.Client c : waiting) {
                c.close();
            }
        }
    }

    /** rx_queue of the LISTEN (0A) row for 127.0.0.1:port: the accept queue's length. */
    private static int procNetTcpQueue(int port) throws IOException {
        String local = String.format("0100007F:%04X", port);
        for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 4 && f[1].equals(local) && f[3].equals("0A")) {
                return Integer.parseInt(f[4].split(":")[1], 16);
            }
        }
        throw new AssertionError("no listening row for " + local);
    }

    @Test
    void aStatusAddressThatCannotBeBoundMeansTheServerCannotStart() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String config = "kraken.status = {host = '127.0.0.1', port = " + taken.getLocalPort() + "}\n";
            try (Server s = Server.start(dir, SCRIPT, config)) {
                KrakenProcess.Result r = s.process.waitFor(Duration.ofSeconds(60));
                assertEquals(1, r.exitCode(), r.toString());
                assertTrue(r.stderr().contains("status: bind 127.0.0.1:" + taken.getLocalPort()
                        + ": Address already in use"), r.toString());
                assertFalse(r.stderr().contains("worker"), "no worker was started: " + r);
            }
        }
    }

    @Test
    void theLogLineOfEachConnectionCanBeTurnedOffButErrorsStay() throws Exception {
        try (Server s = Server.start(dir, SCRIPT, "kraken.isolation = 'state'\nkraken.log.connections = false\n")) {
            s.awaitReady(2);
            for (int i = 0; i < 3; i++) {
                assertEquals(">Ok\r\n", s.exchange("hi\n"));
            }
            assertEquals(">", s.exchange("boom\n"));
            s.awaitLog("boom on purpose", Duration.ofSeconds(30));
            String err = s.process.stderr();
            assertTrue(err.matches("(?s).*connection from 127\\.0\\.0\\.1:\\d+ served by worker \\d+ in [0-9.]+ ms: "
                    + "[^\n]*boom on purpose.*"), err);
            assertFalse(err.contains(": ok\n"), err);
        }
        try (Server s = Server.start(dir, SCRIPT, "kraken.isolation = 'state'\n")) {
            s.awaitReady(2);
            assertEquals(">Ok\r\n", s.exchange("hi\n"));
            s.awaitLog(" ms: ok\n", Duration.ofSeconds(30));
        }
    }

    // ---- helpers ----

    record Http(String head, String body) {}

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static int readToEnd(InputStream in) throws IOException {
        int c;
        while ((c = in.read()) >= 0) {
            // a 503 or nothing: wait for the end
        }
        return c;
    }

    private static String raw(int port, String request) throws IOException {
        try (Socket s = connect(port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Http httpGet(int port, String path, String version) throws IOException {
        String all = raw(port, "GET " + path + " " + version + "\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n\r\n");
        int split = all.indexOf("\r\n\r\n");
        assertTrue(split > 0, all);
        Http h = new Http(all.substring(0, split + 4), all.substring(split + 4));
        Matcher m = Pattern.compile("Content-Length: (\\d+)\r\n").matcher(h.head());
        assertTrue(m.find(), h.head());
        assertEquals(Integer.parseInt(m.group(1)), h.body().getBytes(StandardCharsets.UTF_8).length);
        return h;
    }

    private static String unixGet(Path sock, String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (ch.read(b) >= 0) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    private static Map<String, Double> scrape(int port) {
        try {
            return parse(httpGet(port, "/metrics", "HTTP/1.1").body());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Samples as the Prometheus client's parser read them: "name{k=v,...}" to value. */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> m = new HashMap<>();
        for (String line : python(text).split("\n")) {
            if (line.startsWith("SAMPLE ")) {
                int sp = line.lastIndexOf(' ');
                m.put(line.substring(7, sp), Double.parseDouble(line.substring(sp + 1)));
            }
        }
        return m;
    }

    private static Map<String, String> types(String text) {
        Map<String, String> m = new HashMap<>();
        for (String line : python(text).split("\n")) {
            if (line.startsWith("TYPE ")) {
                String[] p = line.split(" ");
                m.put(p[1], p[2]);
            }
        }
        return m;
    }

    private static String python(String text) {
        try {
            assertTrue(Files.isExecutable(Path.of(PYTHON)), "needs " + PYTHON + " (make test installs it)");
            Path script = Paths.root().toPath().resolve("kraken-master/src/test/resources/status/parse_metrics.py");
            Process p = new ProcessBuilder(PYTHON, script.toString()).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the parser did not finish");
            }
            assertEquals(0, p.exitValue(), "the Prometheus parser rejected the text: " + out
                    + (out.contains("No module named") ? " (make test installs python3-prometheus-client)" : "")
                    + "\n--- text\n" + text);
            return out;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
