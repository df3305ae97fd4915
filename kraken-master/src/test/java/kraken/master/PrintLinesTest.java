package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import kraken.testing.Server;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each print reaches the server's standard output as one write, as a forked lua5.1 child's line
 * does: concurrent connections, served by several "state" workers sharing the one stdout pipe,
 * print long lines of several arguments at once, and every line arrives whole.
 */
@Tag("integration")
@Timeout(120)
class PrintLinesTest {
    @TempDir
    Path dir;

    private static final int CLIENTS = 8;
    private static final int LINES = 40;
    private static final int WIDTH = 3000;

    private static final String SCRIPT = """
            local app = coroutine.create(function (skt, addr)
              local id = skt:receive()
              for i = 1, %d do
                print("conn", id, i, string.rep(id, %d))
              end
              io.write("w ", id, " ", string.rep(id, %d), "\\n")
              skt:send("done")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """.formatted(LINES, WIDTH, WIDTH);

    @Test
    void concurrentConnectionsPrintWholeLines() throws Exception {
        String config = "kraken.isolation = 'state'\nkraken.workers.spare = 4\nkraken.workers.max = 4\n";
        try (Server s = Server.start(dir, SCRIPT, config).awaitReady(4)) {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<String>> replies = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    String id = String.valueOf((char) ('A' + c));
                    replies.add(pool.submit(() -> {
                        try (Server.Client client = s.connect()) {
                            client.send(id + "\n");
                            return client.readLine();
                        }
                    }));
                }
                for (Future<String> r : replies) {
                    assertEquals("done", r.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            int expected = CLIENTS * (LINES + 1);
            s.process.await("every line printed", Duration.ofSeconds(30),
                    () -> s.process.stdout().split("\n", -1).length - 1 >= expected);
            TreeMap<String, Integer> perClient = new TreeMap<>();
            String[] lines = s.process.stdout().split("\n", -1);
            for (int i = 0; i < lines.length - 1; i++) {
                String line = lines[i];
                String id = line.startsWith("w ") ? line.substring(2, 3) : line.substring(5, 6);
                String rep = String.valueOf(id.charAt(0)).repeat(WIDTH);
                boolean whole = line.equals("w " + id + " " + rep)
                        || line.matches("conn\\t" + id + "\\t\\d+\\t" + rep);
                assertTrue(whole, () -> "line " + line.length() + " bytes long is not one whole print: " + line.substring(0, Math.min(80, line.length())));
                perClient.merge(id, 1, Integer::sum);
            }
            assertEquals("", lines[lines.length - 1]);
            assertEquals(CLIENTS, perClient.size(), perClient.toString());
            perClient.values().forEach(n -> assertEquals(LINES + 1, n));
        }
    }
}
