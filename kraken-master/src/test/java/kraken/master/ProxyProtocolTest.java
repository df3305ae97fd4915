package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import kraken.testing.ProxyHeaderBytes;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** docs/operations.md, behind a load balancer: raw PROXY headers from a trusted 127.0.0.1. */
@Tag("integration")
@Timeout(180)
class ProxyProtocolTest {
    @TempDir
    Path dir;

    static final String APP = """
            local app = coroutine.create(function (skt, addr)
              local line = skt:receive()
              skt:send(addr.host .. " " .. addr.port .. " " .. tostring(line))
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    private static String talk(Server s, byte[] first) throws Exception {
        try (Socket c = new Socket("127.0.0.1", s.port)) {
            c.setSoTimeout(30_000);
            OutputStream out = c.getOutputStream();
            out.write(first);
            out.flush();
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void headersGiveTheClientAddressAndTheApplicationItsBytes() throws Exception {
        try (Server s = Server.start(dir, APP, "kraken.proxy = {from = {\"127.0.0.0/8\", \"::1\"}}\n"
                + "kraken.workers.spare = 2").awaitReady(2)) {
            assertEquals("192.0.2.1 4567 hello\r\n",
                    talk(s, "PROXY TCP4 192.0.2.1 127.0.0.1 4567 80\r\nhello\n".getBytes(StandardCharsets.US_ASCII)));
            byte[] v2 = ProxyHeaderBytes.v2Tcp4(new byte[] {(byte) 198, 51, 100, 9}, 40000, "after v2\n");
            assertEquals("198.51.100.9 40000 after v2\r\n", talk(s, v2));
            assertEquals("127.0.0.1 ", talk(s, ProxyHeaderBytes.v2Local("local\n")).substring(0, 10));
            s.awaitLog("connection from 192.0.2.1:4567 via proxy 127.0.0.1:", Duration.ofSeconds(30));

            // Garbage from a trusted source is closed, counted and logged, and never reaches a worker.
            try {
                assertEquals("", talk(s, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            } catch (java.net.SocketException reset) {
                // Closed with unread bytes: a reset is how the kernel says it.
            }
            s.awaitLog("invalid PROXY header: not a PROXY protocol header", Duration.ofSeconds(30));

            // A trusted client that sends nothing is closed after 3 s; others are served meanwhile.
            try (Socket silent = new Socket("127.0.0.1", s.port)) {
                silent.setSoTimeout(30_000);
                long t0 = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    assertEquals("192.0.2.7 " + (1000 + i) + " x\r\n", talk(s, ("PROXY TCP4 192.0.2.7 127.0.0.1 "
                            + (1000 + i) + " 80\r\nx\n").getBytes(StandardCharsets.US_ASCII)));
                }
                assertEquals(-1, silent.getInputStream().read(), "closed by the master");
                assertTrue(System.nanoTime() - t0 >= 2_500_000_000L, "not before the 3 s time-out");
                s.awaitLog("no complete PROXY header within 3 s", Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void untrustedSourcesAreServedAsTheyAreTheirBytesNeverReadAsAHeader() throws Exception {
        try (Server s = Server.start(dir, APP, "kraken.proxy = {from = {\"10.0.0.0/8\"}}").awaitReady(1)) {
            String r = talk(s, "PROXY TCP4 192.0.2.1 127.0.0.1 4567 80\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(r.startsWith("127.0.0.1 ") && r.endsWith(" PROXY TCP4 192.0.2.1 127.0.0.1 4567 80\r\n"), r);
        }
    }
}
