package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import kraken.testing.Paths;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real HAProxy (Debian's haproxy) with send-proxy-v2 in front of two Kraken instances, round robin. */
@Tag("integration")
@Timeout(240)
class HaproxyTest {
    @TempDir
    Path dir;

    static final String APP = """
            local app = coroutine.create(function (skt, addr)
              skt:send("NAME " .. addr.host .. " " .. addr.port)
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void everyConnectionIsServedByBothInstancesWithTheClientsRealAddress() throws Exception {
        Path d1 = Files.createDirectory(dir.resolve("k1"));
        Path d2 = Files.createDirectory(dir.resolve("k2"));
        String config = "kraken.proxy = {from = {\"127.0.0.1\"}}\nkraken.workers.spare = 2\n";
        try (Server k1 = Server.start(d1, APP.replace("NAME", "k1"), config);
                Server k2 = Server.start(d2, APP.replace("NAME", "k2"), config)) {
            k1.awaitReady(2);
            k2.awaitReady(2);
            int front = Paths.freePort();
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, """
                    global
                      maxconn 200
                    defaults
                      mode tcp
                      timeout connect 5s
                      timeout client 30s
                      timeout server 30s
                    frontend fe
                      bind 127.0.0.1:FRONT
                      default_backend be
                    backend be
                      balance roundrobin
                      server k1 127.0.0.1:P1 send-proxy-v2
                      server k2 127.0.0.1:P2 send-proxy-v2
                    """.replace("FRONT", "" + front).replace("P1", "" + k1.port).replace("P2", "" + k2.port));
            Process haproxy = new ProcessBuilder("haproxy", "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            try {
                Poll.until("haproxy listening on " + front, Duration.ofSeconds(30), () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", front), 1000);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
                Set<String> instances = new HashSet<>();
                int n = 20;
                for (int i = 0; i < n; i++) {
                    try (Socket c = new Socket()) {
                        c.connect(new InetSocketAddress("127.0.0.1", front), 10_000);
                        c.setSoTimeout(30_000);
                        String reply = new String(c.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                        String[] f = reply.strip().split(" ");
                        assertEquals(3, f.length, "reply " + reply + "\n" + Files.readString(dir.resolve("haproxy.log")));
                        instances.add(f[0]);
                        assertEquals("127.0.0.1", f[1]);
                        assertEquals(Integer.toString(c.getLocalPort()), f[2], "the client's own port, not HAProxy's");
                    }
                }
                assertEquals(Set.of("k1", "k2"), instances);
                k1.awaitLog("via proxy 127.0.0.1:", Duration.ofSeconds(30));
                assertTrue(k1.count("served by worker") + k2.count("served by worker") >= n - 2);
            } finally {
                haproxy.destroyForcibly();
                haproxy.waitFor();
            }
        }
    }
}
