package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The pool fits the load (issue 10), on a real master with real clients; worker counts from /proc. */
@Tag("integration")
@Timeout(180)
class PoolSizingTest {
    @TempDir
    java.nio.file.Path dir;

    /** Sends "hi", waits for a line, answers "bye". */
    private static final String HOLDING = """
            local app = coroutine.create(function (skt, addr)
              skt:send("hi")
              skt:receive()
              skt:send("bye")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void thePoolGrowsUnderABurstAndShrinksBackToTheSpareTargetAfterIt() throws Exception {
        int held = 5;
        String config = "kraken.isolation = 'state'\nkraken.workers = {spare = 1, max = 20, idle = 1}\n";
        try (Server s = Server.start(dir, HOLDING, config).awaitReady(1)) {
            List<Server.Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < held; i++) {
                    Server.Client c = s.connect();
                    assertEquals("hi", c.readLine()); // served: its worker is busy
                    clients.add(c);
                }
                // Five busy and one spare: the sixth start, and no more.
                s.process.await("5 busy + 1 spare workers", Duration.ofSeconds(60),
                        () -> s.count("ready in") >= held + 1);
                assertEquals(held + 1, s.workerPids().size(), s.process.stderr());
            } finally {
                for (Server.Client c : clients) {
                    c.send("x\n");
                    assertEquals("bye", c.readLine());
                    c.close();
                }
            }
            // Six spare now, one wanted: five retire after a second of idleness.
            s.process.await("the pool back at 1 worker", Duration.ofSeconds(60), () -> s.workerPids().size() == 1);
            assertEquals(held, s.count("): retiring it"), s.process.stderr());
            assertEquals(held + 1, s.count(" started"), "never more than spare + busy started: " + s.process.stderr());
            // Still serving, with the one left.
            try (Server.Client c = s.connect()) {
                assertEquals("hi", c.readLine());
                c.send("x\n");
                assertEquals("bye", c.readLine());
            }
        }
    }

    @Test
    void aStateWorkerBetweenConnectionsNeverMakesThePoolGrow() throws Exception {
        String config = "kraken.isolation = 'state'\nkraken.workers = {spare = 1, max = 20}\n";
        try (Server s = Server.start(dir, HOLDING, config).awaitReady(1)) {
            for (int i = 0; i < 30; i++) {
                try (Server.Client c = s.connect()) {
                    assertEquals("hi", c.readLine());
                    c.send("x\n");
                    assertEquals("bye", c.readLine());
                }
            }
            s.awaitLog("served by worker", Duration.ofSeconds(10));
            // The worker preparing its next state is the spare one: one start, for the busy one.
            assertTrue(s.count(" started") <= 2, s.process.stderr());
        }
    }

    /**
     * gunicorn's max_requests_jitter: each "state" worker draws its life from the last quarter of
     * kraken.workers.connections, so workers started together do not all restart together.
     */
    @Test
    void stateWorkersRetireAfterJitteredLivesNotAllAtOnce() throws Exception {
        int connections = 40;
        String config = "kraken.isolation = 'state'\nkraken.workers = {spare = 1, max = 1, connections = "
                + connections + "}\n";
        try (Server s = Server.start(dir, HOLDING, config).awaitReady(1)) {
            Pattern served = Pattern.compile("served by worker (\\d+) ");
            Map<String, Integer> perWorker = new LinkedHashMap<>();
            // Four whole lives need at most 4 * 40 connections, one at a time on the one worker.
            for (int i = 0; i < 4 * connections + 1; i++) {
                try (Server.Client c = s.connect()) {
                    assertEquals("hi", c.readLine());
                    c.send("x\n");
                    assertEquals("bye", c.readLine());
                }
                int done = i + 1;
                s.process.await("connection " + done + " logged", Duration.ofSeconds(20),
                        () -> s.count("served by worker") >= done);
                perWorker.clear();
                Matcher m = served.matcher(s.process.stderr());
                while (m.find()) {
                    perWorker.merge(m.group(1), 1, Integer::sum);
                }
                if (perWorker.size() >= 5) {
                    break; // four lives complete, a fifth begun
                }
            }
            List<Integer> lives = new ArrayList<>(perWorker.values()).subList(0, 4);
            for (int life : lives) {
                assertTrue(life >= connections * 3 / 4 && life <= connections, "lives " + lives + "\n" + s.process.stderr());
            }
            Set<Integer> distinct = new HashSet<>(lives);
            // Eleven values to draw from: four equal lives in a row would happen once in 1331 runs.
            assertTrue(distinct.size() > 1, "lives " + lives);
        }
    }
}
