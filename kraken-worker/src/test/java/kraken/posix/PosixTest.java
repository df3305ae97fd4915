package kraken.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("unit")
@Timeout(30)
class PosixTest {
    @Test
    void aFailedCallNamesItselfAndGivesTheOsText() {
        PosixException e = assertThrows(PosixException.class, () -> Sockets.recv(1_000_000, new byte[1], 0, 1));
        assertEquals("recv(..) failed: Bad file descriptor", e.getMessage());
        assertEquals("recv", e.call());
        assertEquals("Bad file descriptor", e.reason());
        assertFalse(e.isWouldBlock());
    }

    @Test
    void aDescriptorClosesExactlyOnce() throws Exception {
        int[] p = Descriptors.pipe(false);
        Fd read = new Fd(p[0]);
        Fd write = new Fd(p[1]);
        assertTrue(read.closeOnce());
        assertFalse(read.closeOnce(), "second close must be a no-op");
        read.close();
        assertEquals(-1, read.get());
        // The number may be reused at once; the closed Fd must never close the new owner's descriptor.
        int[] again = Descriptors.pipe(false);
        try (Fd r2 = new Fd(again[0]); Fd w2 = new Fd(again[1])) {
            read.close();
            assertEquals(1, Descriptors.write(w2.get(), new byte[] {7}, 1));
            byte[] b = new byte[1];
            assertEquals(1, Descriptors.read(r2.get(), b, 1));
        }
        write.close();
    }

    @Test
    void aNonBlockingReadOfAnEmptyPipeWouldBlock() throws Exception {
        int[] p = Descriptors.pipe(false);
        try (Fd read = new Fd(p[0]); Fd write = new Fd(p[1])) {
            PosixException e = assertThrows(PosixException.class, () -> Descriptors.read(read.get(), new byte[1], 1));
            assertTrue(e.isWouldBlock());
        }
    }

    @Test
    void aDescriptorPassedOverTheLinkArrivesAsANewWorkingDescriptor() throws Exception {
        int[] link = Descriptors.socketpair(Posix.Constant.SOCK_SEQPACKET.value);
        int[] conn = Descriptors.socketpair(Posix.Constant.SOCK_STREAM.value);
        try (Fd a = new Fd(link[0]); Fd b = new Fd(link[1]); Fd c0 = new Fd(conn[0]); Fd c1 = new Fd(conn[1])) {
            byte[] msg = "here".getBytes(StandardCharsets.US_ASCII);
            Descriptors.sendmsg(a.get(), msg, msg.length, c1.get());
            c1.close(); // the sender's copy goes; the passed one must still work
            byte[] buf = new byte[64];
            int[] fd = new int[1];
            assertEquals(4, Descriptors.recvmsg(b.get(), buf, fd));
            assertTrue(fd[0] >= 0);
            try (Fd passed = new Fd(fd[0])) {
                byte[] hi = {'h', 'i'};
                Sockets.send(passed.get(), hi, 0, 2);
                byte[] got = new byte[2];
                assertEquals(2, Sockets.recv(c0.get(), got, 0, 2));
                assertEquals("hi", new String(got, StandardCharsets.US_ASCII));
            }
            // No descriptor attached: -1.
            Descriptors.sendmsg(a.get(), msg, msg.length, -1);
            Descriptors.recvmsg(b.get(), buf, fd);
            assertEquals(-1, fd[0]);
            // End of stream once the other end is closed.
            a.close();
            assertEquals(0, Descriptors.recvmsg(b.get(), buf, fd));
        }
    }

    @Test
    void socketTimeoutsRoundTripInMicroseconds() throws Exception {
        try (Fd s = new Fd(Sockets.socket(Posix.Constant.AF_INET.value, Posix.Constant.SOCK_STREAM.value, 0))) {
            Sockets.setTimeout(s.get(), Posix.Constant.SO_RCVTIMEO.value, 1_500_000);
            assertEquals(1_500_000, Sockets.getTimeout(s.get(), Posix.Constant.SO_RCVTIMEO.value));
            assertEquals(0, Sockets.getTimeout(s.get(), Posix.Constant.SO_SNDTIMEO.value));
        }
    }

    @Test
    void usersAreResolvedWithTheirGroups() {
        Privileges.User nobody = Privileges.getpwnam("nobody");
        assertEquals(65534, nobody.uid());
        assertTrue(java.util.Arrays.stream(nobody.groups()).anyMatch(g -> g == nobody.gid()));
        assertEquals("nobody", Privileges.getpwuid(65534).name());
        assertEquals(null, Privileges.getpwnam("no-such-user-kraken"));
    }
}
