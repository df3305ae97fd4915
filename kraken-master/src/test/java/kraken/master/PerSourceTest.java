package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kraken.limits.per_source against real sockets: one source cannot hold more than its share of
 * the workers, the refusal text reaches the refused client, other sources are still served, and
 * every way a connection can end gives its slot back.
 */
@Tag("integration")
@Timeout(180)
class PerSourceTest {
    @TempDir
    Path dir;

    /** Sends its pid, then holds the connection until the client sends a line. */
    private static final String HOLD = Server.PID_FUNCTION + """
            local app = coroutine.create(function (skt, addr)
              skt:send(tostring(pid()))
              skt:receive()
              skt:send("bye")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.registerAddress { host = "::1", port = PORT })
            assert(kraken.loop())
            """;

    private static final String CONFIG = """
            kraken.workers.spare = 3
            kraken.workers.max = 8
            kraken.limits.per_source = 2
            kraken.limits.refusal = "busy: too many connections from your address\\r\\n"
            """;

    private static Server.Client connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(20_000);
        return new Server.Client(s);
    }

    @Test
    void aSourceOverItsLimitIsRefusedWithTheTextAndSlotsComeBack() throws Exception {
        try (Server s = Server.start(dir, HOLD, CONFIG).awaitReady(3)) {
            int handed = 0;
            for (String host : new String[] {"127.0.0.1", "::1"}) {
                Server.Client a = connect(host, s.port);
                int pidA = Integer.parseInt(a.readLine());
                Server.Client b = connect(host, s.port);
                b.readLine();
                handed += 2;
                int need = handed + 1;
                // Listeners are polled only while a worker is ready: wait for one, so that the
                // refusal below is the limit's doing and not the backlog's.
                s.process.await("a spare worker again", Server.STARTUP, () -> s.count("ready in") >= need);
                // The third from the same source is refused at once, with the text, while a ready worker waits.
                Server.Client c = connect(host, s.port);
                assertEquals("busy: too many connections from your address\r\n", c.readAll());
                c.close();
                // A worker killed while serving gives its slot back...
                new ProcessBuilder("kill", "-KILL", Integer.toString(pidA)).start().waitFor();
                assertEquals("", a.readAll());
                s.awaitLog("worker " + pidA + " exited", Duration.ofSeconds(10));
                Server.Client d = connect(host, s.port);
                d.readLine();
                handed++;
                // ...and so does a connection that ends normally.
                int okBefore = s.count("ms: ok");
                b.send("x\n");
                assertEquals("bye\r\n", b.readAll());
                s.process.await("b's connection logged", Duration.ofSeconds(10),
                        () -> s.count("ms: ok") > okBefore);
                Server.Client e = connect(host, s.port);
                e.readLine();
                handed++;
                d.send("x\n");
                e.send("x\n");
                assertEquals("bye\r\n", d.readAll());
                assertEquals("bye\r\n", e.readAll());
            }
            s.process.signal("USR1");
            s.awaitLog("refused per_source=2", Duration.ofSeconds(10));
            assertTrue(s.process.stderr().contains("refused: kraken.limits.per_source (2) reached for its source"),
                    s.process.stderr());
        }
    }

    @Test
    void anotherSourceIsServedWhileOneIsAtItsLimit() throws Exception {
        try (Server s = Server.start(dir, HOLD, CONFIG).awaitReady(3)) {
            Server.Client a = connect("127.0.0.1", s.port);
            a.readLine();
            Server.Client b = connect("127.0.0.1", s.port);
            b.readLine();
            Server.Client v6 = connect("::1", s.port);
            v6.readLine();
            v6.send("x\n");
            assertEquals("bye\r\n", v6.readAll());
            a.close();
            b.close();
        }
    }

}
