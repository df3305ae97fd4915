package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;
import kraken.testing.KrakenProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** docs/operations.md, listeners: registerAddress{path = ...} through the real kraken command. */
@Tag("integration")
@Timeout(120)
class UnixListenerTest {
    @TempDir
    Path dir;

    private Path script(Path sock) throws Exception {
        dir.toFile().setExecutable(true, false);
        Path s = dir.resolve("server.lua");
        Files.writeString(s, SocketActivationTest.ECHO_ADDRESS
                + "assert(kraken.registerAddress { path = \"" + sock + "\" })\n"
                + "print('loop', kraken.loop())\n");
        s.toFile().setReadable(true, false);
        return s;
    }

    @Test
    void servesOnAPathTellsTheApplicationAndRemovesTheFileOnStop() throws Exception {
        Path sock = dir.resolve("app.sock");
        Path script = script(sock);
        KrakenProcess.Result check = KrakenProcess.run(Duration.ofSeconds(60), "--check", script.toString());
        assertEquals(0, check.exitCode(), check.toString());
        assertTrue(check.stdout().contains("address unix:" + sock + "\n"), check.stdout());
        assertFalse(Files.exists(sock), "--check binds nothing");

        // A socket file left by a master that died (bound, never removed) is taken over.
        try (Fd stale = new Fd(Sockets.socket(Posix.Constant.AF_UNIX.value, Posix.Constant.SOCK_STREAM.value, 0))) {
            Sockets.bindUnix(stale.get(), SocketAddress.unixPathBytes(sock.toString()));
        }
        assertTrue(Files.exists(sock));
        try (KrakenProcess k = KrakenProcess.start(java.util.List.of(script.toString()))) {
            k.await("a worker ready", Duration.ofSeconds(60), () -> k.stderr().contains("ready in"));
            assertTrue(k.stderr().contains("removed the stale socket file " + sock), k.stderr());
            for (int i = 0; i < 3; i++) {
                assertEquals("unix 0 " + sock + "\r\n", SocketActivationTest.exchangeUnix(sock));
            }
            k.await("the connection log", Duration.ofSeconds(30),
                    () -> k.stderr().contains("connection from unix:" + sock + " served by worker"));
            k.signal("TERM");
            KrakenProcess.Result r = k.waitFor(Duration.ofSeconds(60));
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("loop\ttrue"), r.toString());
            assertFalse(Files.exists(sock), "the socket file is removed on stop");
        }
    }

    @Test
    void aPathInUseOrTooLongIsABindFailure() throws Exception {
        Path sock = dir.resolve("busy.sock");
        Path script = script(sock);
        try (Fd busy = new Fd(Sockets.socket(Posix.Constant.AF_UNIX.value, Posix.Constant.SOCK_STREAM.value, 0))) {
            Sockets.bindUnix(busy.get(), SocketAddress.unixPathBytes(sock.toString()));
            Sockets.listen(busy.get(), 4);
            KrakenProcess.Result r = KrakenProcess.run(Duration.ofSeconds(60), script.toString());
            assertTrue(r.stdout().contains("loop\tnil\tbind unix:" + sock + ": Address already in use"), r.toString());
            assertTrue(Files.exists(sock), "another server's socket file is left alone");
        }
        String longPath = "/tmp/" + "x".repeat(120);
        KrakenProcess.Result r = KrakenProcess.run(Duration.ofSeconds(60), "-e",
                "print(kraken.registerAddress{path = '" + longPath + "'})"
                        + " print(kraken.registerAddress{path = '/a', port = 1})"
                        + " print(pcall(kraken.registerAddress, {path = 1}))");
        assertEquals("nil\tpath is longer than 107 bytes: '" + longPath + "'\n"
                + "nil\tan address has either a path or a host and a port, not both\n"
                + "true\tnil\tpath must be a string, got number\n", r.stdout(), r.toString());
    }
}
