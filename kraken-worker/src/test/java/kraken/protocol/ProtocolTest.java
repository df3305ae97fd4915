package kraken.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import kraken.posix.Descriptors;
import kraken.posix.Sockets;
import kraken.settings.Settings;
import kraken.posix.Fd;
import kraken.posix.Posix;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("unit")
@Timeout(30)
class ProtocolTest {
    private static Fd[] link() throws IOException {
        int[] p = Descriptors.socketpair(Posix.Constant.SOCK_SEQPACKET.value);
        return new Fd[] {new Fd(p[0]), new Fd(p[1])};
    }

    @Test
    void helloCarriesEverythingAWorkerNeeds() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd worker = l[1]) {
            Settings s = new Settings();
            s.isolation = "state";
            s.limitCpu = 7L;
            // Far larger than a message: the image travels in its sealed memfd.
            byte[] image = new byte[300_000];
            new java.util.Random(4).nextBytes(image);
            Protocol.Hello sent;
            Protocol.Hello got;
            try (Fd file = Protocol.imageFile(image)) {
                sent = new Protocol.Hello(Protocol.VERSION, s.encode(), 65534, 65534, new int[] {65534, 4},
                        "/srv/app", file);
                Protocol.sendHello(master, sent);
                got = (Protocol.Hello) Protocol.receiveFromMaster(worker);
            }
            assertEquals(sent.settings(), got.settings());
            assertEquals("state", Settings.decode(got.settings()).isolation);
            assertEquals(7L, Settings.decode(got.settings()).limitCpu);
            assertEquals(65534, got.uid());
            assertArrayEquals(new int[] {65534, 4}, got.groups());
            assertEquals("/srv/app", got.scriptDir());
            try (Fd file = got.image()) {
                assertArrayEquals(image, Protocol.readImage(file, image.length));
                IOException big = assertThrows(IOException.class, () -> Protocol.readImage(file, image.length - 1));
                assertTrue(big.getMessage().contains("more than"), big.getMessage());
            }
        }
    }

    @Test
    void aWorkerThatDiesWithItsHelloUnreadIsEndOfStreamNotAnError() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]) {
            try (Fd file = Protocol.imageFile(new byte[10])) {
                Protocol.sendHello(master, new Protocol.Hello(Protocol.VERSION, Map.of(), 0, 0, new int[0], null, file));
            }
            l[1].close(); // the worker's JVM could not start: the HELLO was never read (ECONNRESET)
            assertNull(Protocol.receiveFromWorker(master));
        }
    }

    @Test
    void anImageFileWithoutItsSealsIsRefused() throws Exception {
        int[] p = Descriptors.pipe(false);
        try (Fd r = new Fd(p[0]); Fd w = new Fd(p[1])) {
            assertThrows(IOException.class, () -> Protocol.readImage(r, 1 << 20));
        }
    }

    @Test
    void aHelloWithoutItsImageIsAProtocolError() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd worker = l[1]) {
            byte[] hello = Protocol.encodeHello(new Protocol.Hello(Protocol.VERSION, Map.of(), 0, 0, new int[0], null, null));
            Protocol.sendEncoded(master, hello);
            IOException e = assertThrows(IOException.class, () -> Protocol.receiveFromMaster(worker));
            assertEquals("protocol: HELLO without its image", e.getMessage());
        }
    }

    @Test
    void workerMessagesRoundTripAndEndOfStreamIsNull() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd worker = l[1]) {
            Protocol.sendReady(worker);
            Protocol.sendDone(worker, "error: boom");
            Protocol.sendFailed(worker, "x".repeat(20000));
            assertInstanceOf(Protocol.Ready.class, Protocol.receiveFromWorker(master));
            assertEquals("error: boom", ((Protocol.Done) Protocol.receiveFromWorker(master)).outcome());
            assertEquals(16000, ((Protocol.Failed) Protocol.receiveFromWorker(master)).error().length());
            worker.close();
            assertNull(Protocol.receiveFromWorker(master));
        }
    }

    /** What a broken or hostile worker might send: the master gets an IOException, never a crash or a hang. */
    @Test
    void garbageFromAWorkerIsAnErrorForTheMaster() throws Exception {
        byte[][] garbage = {
            {(byte) 0xff}, // an unknown type
            {(byte) 0x7f, 1, 2, 3},
            new byte[Protocol.MAX_MESSAGE], // zeros: type 0
        };
        for (byte[] g : garbage) {
            Fd[] l = link();
            try (Fd master = l[0]; Fd worker = l[1]) {
                Sockets.send(worker.get(), g, 0, g.length);
                assertThrows(IOException.class, () -> Protocol.receiveFromWorker(master));
            }
        }
    }

    @Test
    void aConnectionTravelsWithItsDescriptor() throws Exception {
        Fd[] l = link();
        int[] c = Descriptors.socketpair(Posix.Constant.SOCK_STREAM.value);
        try (Fd master = l[0]; Fd worker = l[1]; Fd client = new Fd(c[0]); Fd server = new Fd(c[1])) {
            Protocol.sendConnection(master, "::1", 4242, server);
            server.close(); // the master closes its copy at once
            Protocol.Connection conn = (Protocol.Connection) Protocol.receiveFromMaster(worker);
            assertEquals("::1", conn.peerHost());
            assertEquals(4242, conn.peerPort());
            try (Fd passed = conn.fd()) {
                byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
                Sockets.send(passed.get(), ok, 0, 2);
                byte[] got = new byte[2];
                assertEquals(2, Sockets.recv(client.get(), got, 0, 2));
            }
        }
    }

    @Test
    void aWorkerRefusesAnotherProtocolVersion() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd worker = l[1]) {
            try (Fd file = Protocol.imageFile(new byte[1])) {
                Protocol.sendHello(master, new Protocol.Hello(Protocol.VERSION + 1, Map.of(), 0, 0, new int[0], null, file));
            }
            IOException e = assertThrows(IOException.class, () -> Protocol.receiveFromMaster(worker));
            assertEquals("protocol: master speaks version " + (Protocol.VERSION + 1) + ", this worker " + Protocol.VERSION,
                    e.getMessage());
        }
    }

    @Test
    void aWorkerMessageWhoseLengthLiesIsAProtocolErrorWithoutAllocatingIt() {
        // Found by WorkerMessageFuzzTest: NegativeArraySizeException on the supervisor thread, up to
        // 2 GB allocated for a 5-byte FAILED, 200 KB for a 3-byte DONE.
        byte[][] lies = {
            {'F', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {'F', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'x'},
            {'F', 0, 0, 0, 2, 'x'},
            {'D', (byte) 0xff, (byte) 0xff},
            {'D', 0, 2, 'x'},
        };
        for (byte[] m : lies) {
            IOException e = assertThrows(IOException.class, () -> Protocol.decodeFromWorker(m, m.length));
            assertTrue(e.getMessage().startsWith("protocol: a string of "), e.getMessage());
        }
        byte[] ok = {'F', 0, 0, 0, 2, 'o', 'k', 'x'};
        assertEquals(new Protocol.Failed("ok"), assertDoesNotThrow(() -> Protocol.decodeFromWorker(ok, 7)));
    }
}
