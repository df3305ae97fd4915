package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import kraken.testing.ProcFiles;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md, systemd: the real kraken started by systemd's own systemd-socket-activate,
 * which binds the sockets, puts them at descriptors 3.., sets LISTEN_PID/LISTEN_FDS and execs
 * the command on the first connection, as a .socket unit does.
 */
@Tag("integration")
@Timeout(180)
class SocketActivationTest {
    @TempDir
    Path dir;

    static final String ECHO_ADDRESS = """
            local app = coroutine.create(function (skt, addr)
              skt:send(addr.host .. " " .. addr.port .. " " .. tostring(addr.path))
            end)
            assert(kraken.registerApplication(app))
            """;

    @Test
    void inheritedSocketsServeTheirAddressesOthersAreBoundAndStraysClosed() throws Exception {
        int p1 = Paths.freePort();
        int p2 = Paths.freePort();
        int p3 = Paths.freePort();
        int stray = Paths.freePort();
        Path sock = dir.resolve("app.sock");
        dir.toFile().setExecutable(true, false);
        Path script = dir.resolve("server.lua");
        Files.writeString(script, ECHO_ADDRESS + """
                assert(kraken.registerAddress { host = "127.0.0.1", port = P1 })
                assert(kraken.registerAddress { host = "::1", port = P2 })
                assert(kraken.registerAddress { path = "SOCK" })
                assert(kraken.registerAddress { host = "127.0.0.1", port = P3 })
                assert(kraken.loop())
                """.replace("P1", "" + p1).replace("P2", "" + p2).replace("P3", "" + p3)
                .replace("SOCK", sock.toString()));
        Path config = dir.resolve("kraken.lua");
        Files.writeString(config, "kraken.workers.spare = 2\n");
        KrakenProcess k = KrakenProcess.builder()
                .prefix("systemd-socket-activate", "-l", "127.0.0.1:" + p1, "-l", "[::1]:" + p2, "-l", sock.toString(),
                        "-l", "127.0.0.1:" + stray, "--fdname=one:two:three:stray")
                .args("--config", config.toString(), script.toString()).start();
        try (k) {
            waitForListener(k, p1);
            // The first connection starts the server (it waits in the inherited socket's backlog).
            String first = exchange(new InetSocketAddress("127.0.0.1", p1));
            assertTrue(first.startsWith("127.0.0.1 "), first + "\n" + k.stderr());
            String log = k.stderr();
            assertTrue(log.contains("serving 127.0.0.1:" + p1 + " from the inherited descriptor 3 (one)"), log);
            assertTrue(log.contains("serving [::1]:" + p2 + " from the inherited descriptor 4 (two)"), log);
            assertTrue(log.contains("serving unix:" + sock + " from the inherited descriptor 5 (three)"), log);
            assertTrue(log.contains("no registered address is 127.0.0.1:" + stray + " (descriptor 6, stray); closed"),
                    log);
            assertTrue(exchange(new InetSocketAddress("::1", p2)).startsWith("::1 "));
            assertEquals("unix 0 " + sock + "\r\n", exchangeUnix(sock));
            assertTrue(exchange(new InetSocketAddress("127.0.0.1", p3)).startsWith("127.0.0.1 "));
            assertThrows(ConnectException.class, () -> exchange(new InetSocketAddress("127.0.0.1", stray)));

            long master = k.pid();
            for (int fd = 3; fd <= 5; fd++) {
                assertTrue(ProcFiles.closeOnExec(master, fd), "inherited descriptor " + fd + " is close-on-exec");
            }
            assertNoWorkerHoldsAMasterSocket(k);
            for (ProcessHandle w : k.process().toHandle().children().toList()) {
                if (!ProcFiles.runsKrakenChild(w.pid())) {
                    continue; // a spawn before its exec has the master's environment still
                }
                // A child that ended since the listing has no environment left to leak.
                List<String> env = ProcFiles.environmentNames(w.pid()).orElse(List.of());
                assertFalse(env.contains("LISTEN_PID") || env.contains("LISTEN_FDS") || env.contains("LISTEN_FDNAMES"),
                        "worker " + w.pid() + " environment " + env);
            }
            k.signal("TERM");
            KrakenProcess.Result r = k.waitFor(Duration.ofSeconds(60));
            assertEquals(0, r.exitCode(), r.toString());
            // The socket file belongs to whoever made it (systemd): the master leaves it.
            assertTrue(Files.exists(sock), "an inherited socket's file is not removed");
        }
    }

    /** No descriptor of any worker is a socket the master holds (a listener, or another's connection). */
    /** What the environment says reaches the log escaped once, by the log itself: "\\" and "\n", never "\\x0a". */
    @Test
    void anEnvironmentValueIsEscapedOnceInTheLog() throws Exception {
        int port = Paths.freePort();
        dir.toFile().setExecutable(true, false); // the script process runs as nobody and reads the script
        Path script = dir.resolve("server.lua");
        Files.writeString(script, ECHO_ADDRESS + "assert(kraken.registerAddress { host = \"127.0.0.1\", port = " + port
                + " })\nassert(kraken.loop())\n");
        KrakenProcess k = KrakenProcess.builder().dir(dir.toFile()).env("LISTEN_PID", "1\\2\n3").env("LISTEN_FDS", "1")
                .args("--config", "", script.toString()).start();
        try (k) {
            k.await("the LISTEN_PID line", Duration.ofSeconds(60), () -> k.stderr().contains("is not this process"));
            assertTrue(k.stderr().contains("kraken: socket activation: LISTEN_PID 1\\\\2\\n3 is not this process ("),
                    k.stderr());
        }
    }

    static void assertNoWorkerHoldsAMasterSocket(KrakenProcess k) throws IOException {
        Set<String> master = ProcFiles.sockets(k.pid());
        assertFalse(master.isEmpty());
        int checked = 0;
        for (ProcessHandle w : k.process().toHandle().children().toList()) {
            if (!ProcFiles.runsKrakenChild(w.pid())) {
                continue; // a spawn before its exec holds the master's descriptors, close-on-exec
            }
            checked++;
            Set<String> shared = new HashSet<>(ProcFiles.sockets(w.pid()));
            shared.retainAll(master);
            // A worker being spawned holds its link's end while the master still does, until the
            // spawn closes the master's copy: a socket shared for good is in the master after too.
            shared.retainAll(ProcFiles.sockets(k.pid()));
            assertTrue(shared.isEmpty(), "worker " + w.pid() + " shares sockets " + shared + " with the master: "
                    + Server.descriptors((int) w.pid()));
        }
        assertTrue(checked > 0, "workers are running");
    }

    /** systemd-socket-activate is listening once a connection is accepted by the kernel. */
    static void waitForListener(KrakenProcess k, int port) {
        k.await("systemd-socket-activate listening on " + port, Duration.ofSeconds(30),
                () -> k.stderr().contains(":" + port + " as 3"));
    }

    static String exchange(InetSocketAddress a) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(a, 10_000);
            s.setSoTimeout(60_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static String exchangeUnix(Path p) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(p));
            ByteBuffer b = ByteBuffer.allocate(4096);
            long end = System.nanoTime() + 60_000_000_000L;
            while (c.read(b) >= 0 && System.nanoTime() < end) {
                // until the server closes
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1);
        }
    }
}
