package kraken.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The PROXY protocol reader on the examples and rules of HAProxy's doc/proxy-protocol.txt. */
@Tag("unit")
@Timeout(30)
class ProxyHeaderTest {
    static final byte[] SIG = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Feeds the stream to a reader in pieces of at most chunk bytes, as a peek would show them. */
    static int[] feed(ProxyHeader r, byte[] stream, int chunk) throws ProxyHeader.Invalid {
        int at = 0;
        int offers = 0;
        while (!r.isComplete() && at < stream.length) {
            int n = Math.min(chunk, stream.length - at);
            int k = r.offer(Arrays.copyOfRange(stream, at, at + n), n);
            assertTrue(k > 0 && k <= n, "took " + k + " of " + n);
            at += k;
            offers++;
        }
        return new int[] {at, offers};
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void v1Tcp4FromTheSpecificationStopsAtCrlf() throws Exception {
        byte[] stream = bytes("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");
        for (int chunk : new int[] {1, 7, 256}) {
            ProxyHeader r = new ProxyHeader();
            int[] f = feed(r, stream, chunk);
            assertEquals("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n".length(), f[0], "no application byte");
            assertEquals(new ProxyHeader.Result(1, false, "192.168.0.1", 56324, "192.168.0.11", 443), r.result());
        }
    }

    @Test
    void v1Tcp6AndUnknown() throws Exception {
        ProxyHeader r = new ProxyHeader();
        feed(r, bytes("PROXY TCP6 2001:db8:0:0:0:0:0:1 ::1 65535 0\r\nx"), 256);
        assertEquals(new ProxyHeader.Result(1, false, "2001:db8::1", 65535, "::1", 0), r.result());
        ProxyHeader u = new ProxyHeader();
        feed(u, bytes("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"), 256);
        assertTrue(u.result().useReal());
        ProxyHeader bare = new ProxyHeader();
        feed(bare, bytes("PROXY UNKNOWN\r\n"), 3);
        assertTrue(bare.result().useReal());
    }

    @Test
    void v1WorstCaseIs107BytesAndOneMoreIsRefused() throws Exception {
        String worst = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        assertEquals(107, worst.length());
        ProxyHeader r = new ProxyHeader();
        assertEquals(107, feed(r, bytes(worst), 256)[0]);
        assertTrue(r.isComplete());
        ProxyHeader.Invalid e = assertThrows(ProxyHeader.Invalid.class,
                () -> feed(new ProxyHeader(), bytes("PROXY UNKNOWN " + "x".repeat(200)), 256));
        assertEquals("v1 header longer than 107 bytes", e.getMessage());
        // Without a line end, at most 107 bytes are ever taken, however they come.
        assertThrows(ProxyHeader.Invalid.class, () -> feed(new ProxyHeader(), bytes("PROXY " + "1".repeat(300)), 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.0\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", "PROXY TCP4 ::1 ::1 1 2\r\n", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
        "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
        "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "\u0000PROXY", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"})
    void invalidV1HeadersAreRefusedNeverGuessed(String header) {
        assertThrows(ProxyHeader.Invalid.class, () -> feed(new ProxyHeader(), bytes(header), 256), header);
    }

    static byte[] v2(int verCmd, int famProto, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(SIG);
        b.write(verCmd);
        b.write(famProto);
        b.write(body.length >> 8);
        b.write(body.length & 0xff);
        b.writeBytes(body);
        return b.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void v2ProxyTcp4WithTlvsIsTakenWholeAndNothingMore() throws Exception {
        byte[] addr = {(byte) 203, 0, 113, 7, 10, 0, 0, 1, (byte) 0xC3, 0x50, 0x1F, (byte) 0x90};
        byte[] tlvs = new byte[3000];
        tlvs[0] = 0x04; // PP2_TYPE_NOOP
        tlvs[1] = (byte) ((tlvs.length - 3) >> 8);
        tlvs[2] = (byte) ((tlvs.length - 3) & 0xff);
        byte[] header = v2(0x21, 0x11, concat(addr, tlvs));
        byte[] stream = concat(header, bytes("hello"));
        for (int chunk : new int[] {1, 5, 16, 256}) {
            ProxyHeader r = new ProxyHeader();
            assertEquals(header.length, feed(r, stream, chunk)[0]);
            assertEquals(new ProxyHeader.Result(2, false, "203.0.113.7", 50000, "10.0.0.1", 8080), r.result());
        }
    }

    @Test
    void v2ProxyTcp6() throws Exception {
        byte[] addr = new byte[36];
        addr[0] = 0x20;
        addr[1] = 0x01;
        addr[2] = 0x0d;
        addr[3] = (byte) 0xb8;
        addr[15] = 5;
        addr[31] = 1;
        addr[32] = (byte) 0xff;
        addr[33] = (byte) 0xfe;
        addr[35] = 80;
        ProxyHeader r = new ProxyHeader();
        feed(r, v2(0x21, 0x21, addr), 256);
        assertEquals(new ProxyHeader.Result(2, false, "2001:db8::5", 65534, "::1", 80), r.result());
    }

    @Test
    void v2LocalUnspecAndUnixKeepTheRealAddresses() throws Exception {
        ProxyHeader local = new ProxyHeader();
        assertEquals(16 + 12, feed(local, concat(v2(0x20, 0x11, new byte[12]), bytes("x")), 256)[0]);
        assertTrue(local.result().useReal());
        ProxyHeader empty = new ProxyHeader();
        feed(empty, v2(0x20, 0x00, new byte[0]), 256);
        assertTrue(empty.result().useReal());
        ProxyHeader unspec = new ProxyHeader();
        feed(unspec, v2(0x21, 0x00, new byte[5]), 256);
        assertTrue(unspec.result().useReal());
        ProxyHeader unix = new ProxyHeader();
        feed(unix, v2(0x21, 0x31, new byte[216]), 256);
        assertTrue(unix.result().useReal());
    }

    @Test
    void invalidV2HeadersAreRefused() {
        byte[] badSig = v2(0x21, 0x11, new byte[12]);
        badSig[11] = 'X';
        for (byte[] h : new byte[][] {badSig, v2(0x11, 0x11, new byte[12]), v2(0x22, 0x11, new byte[12]),
                v2(0x21, 0x11, new byte[11]), v2(0x21, 0x21, new byte[35]), v2(0x21, 0x12, new byte[12]),
                v2(0x21, 0x41, new byte[12]), v2(0x21, 0x13, new byte[12]),
                // Found by ProxyHeaderFuzzTest: bytes the specification lists nowhere, to be rejected.
                v2(0x21, 0x10, new byte[12]), v2(0x21, 0x20, new byte[36]), v2(0x21, 0x30, new byte[216]),
                v2(0x21, 0x01, new byte[0])}) {
            assertThrows(ProxyHeader.Invalid.class, () -> feed(new ProxyHeader(), h, 256), Arrays.toString(h));
        }
    }

    @Test
    void anIncompleteHeaderWaitsForMore() throws Exception {
        ProxyHeader r = new ProxyHeader();
        byte[] part = bytes("PROXY TCP4 1.2.3.4");
        assertEquals(part.length, r.offer(part, part.length));
        assertFalse(r.isComplete());
        byte[] rest = bytes(" 5.6.7.8 1 2\r\nAPP");
        assertEquals(rest.length - 3, r.offer(rest, rest.length));
        assertEquals("1.2.3.4", r.result().sourceHost());
    }
}
