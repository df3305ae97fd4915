package kraken.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import kraken.fuzz.Allocation;
import kraken.net.IpText;
import org.junit.jupiter.api.Tag;

/**
 * The PROXY protocol v1/v2 reader under any bytes, read as PendingProxyConnections reads them
 * (peek up to 256 bytes, offer, consume exactly what offer took) with the bytes arriving whole,
 * one at a time, or in chunks drawn from the input's hash. The contract the master's event loop relies on:
 * each offer takes at least one byte while the header is incomplete (else the loop spins) and
 * never more than offered, the outcome does not depend on how the bytes arrived, a rejection is
 * {@link ProxyHeader.Invalid} and nothing else, a header is never longer than the specification
 * allows (107 bytes for v1, 16 + 65535 for v2), what it accepts is what HAProxy's
 * doc/proxy-protocol.txt accepts, and memory stays bounded whatever the header announces.
 */
@Tag("fuzz")
class ProxyHeaderFuzzTest {
    private static final int PEEK = 256;

    /** How one read of a stream ended: the header, a rejection, or the stream ended first. */
    private record Outcome(ProxyHeader.Result result, int consumed, String failure) {}

    @FuzzTest
    void proxyHeader(byte[] stream) {
        Outcome whole = read(stream, new int[] {stream.length});
        long mark = Allocation.mark();
        Outcome again = read(stream, new int[] {stream.length});
        // A few hundred bytes kept whatever arrives; the peeks are the caller's, made per read.
        Allocation.atMost(mark, 64 * 1024 + 8L * stream.length, "reading the header");
        assertEquals(whole, again);

        // One byte at a time through the longest part any header keeps (the v2 fixed part and
        // address block, a v1 line); what follows, v2's skipped TLVs, comes whole.
        int[] ones = new int[Math.min(stream.length, 300) + 1];
        Arrays.fill(ones, 1);
        Random r = new Random(Arrays.hashCode(stream));
        int[] chunks = new int[16];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = 1 + r.nextInt(40);
        }
        for (int[] arrivals : new int[][] {ones, chunks}) {
            Outcome o = read(stream, arrivals);
            assertEquals(kind(whole), kind(o), "the outcome depends on how the bytes arrived");
            if (whole.result != null) {
                assertEquals(whole, o);
            }
        }
        if (whole.result != null) {
            checkAgainstSpecification(stream, whole);
        }
    }

    private static String kind(Outcome o) {
        return o.result != null ? "header" : o.failure.startsWith("invalid") ? "invalid" : "ended";
    }

    /**
     * Reads stream through a header, the bytes arriving in chunks of the given sizes (the last
     * chunk brings the rest), as PendingProxyConnections does.
     */
    private static Outcome read(byte[] stream, int[] arrivals) {
        ProxyHeader h = new ProxyHeader();
        int arrived = 0;
        int consumed = 0;
        int next = 0;
        try {
            while (!h.isComplete()) {
                if (consumed == arrived) {
                    if (arrived == stream.length) {
                        return new Outcome(null, consumed, "ended");
                    }
                    arrived = next < arrivals.length - 1 ? Math.min(stream.length, arrived + arrivals[next++])
                            : stream.length;
                }
                int n = Math.min(PEEK, arrived - consumed);
                byte[] peek = Arrays.copyOfRange(stream, consumed, consumed + n);
                int k = h.offer(peek, n);
                assertTrue(k >= 1 && k <= n, "offer of " + n + " bytes took " + k);
                consumed += k;
                assertTrue(consumed <= 16 + 65535, "a header of " + consumed + " bytes");
            }
            assertEquals(0, h.offer(new byte[] {'x'}, 1), "a complete header takes more bytes");
            return new Outcome(h.result(), consumed, null);
        } catch (ProxyHeader.Invalid e) {
            assertTrue(consumed <= 16 + 65535);
            return new Outcome(null, consumed, "invalid: " + e.getMessage());
        }
    }

    /** What HAProxy's doc/proxy-protocol.txt says the bytes mean, worked out apart. */
    private static void checkAgainstSpecification(byte[] s, Outcome o) {
        ProxyHeader.Result r = o.result;
        if (s[0] == 'P') {
            assertEquals(1, r.version());
            assertTrue(o.consumed <= ProxyHeader.V1_MAX);
            String line = new String(s, 0, o.consumed, StandardCharsets.ISO_8859_1);
            assertTrue(line.endsWith("\r\n") && line.indexOf('\n') == o.consumed - 1, "v1 ends at its first CRLF");
            if (r.useReal()) {
                assertTrue(line.startsWith("PROXY UNKNOWN"), line);
                return;
            }
            String[] f = line.substring(0, line.length() - 2).split(" ", -1);
            assertEquals(6, f.length);
            if (f[1].equals("TCP4")) {
                // Dotted quads without leading zeros read back exactly as they were written.
                assertEquals(line, "PROXY TCP4 " + r.sourceHost() + " " + r.destHost() + " " + r.sourcePort() + " "
                        + r.destPort() + "\r\n");
            } else {
                assertEquals("TCP6", f[1]);
                assertEquals(address(f[2]), address(r.sourceHost()));
                assertEquals(address(f[3]), address(r.destHost()));
                assertEquals(Integer.parseInt(f[4]), r.sourcePort());
                assertEquals(Integer.parseInt(f[5]), r.destPort());
            }
            return;
        }
        assertEquals(2, r.version());
        int length = ((s[14] & 0xff) << 8) | (s[15] & 0xff);
        assertEquals(16 + length, o.consumed, "v2 is 16 bytes and the length they announce");
        int command = s[12] & 0x0f;
        int famProto = s[13] & 0xff;
        if (command == 0) {
            assertTrue(r.useReal(), "LOCAL keeps the real addresses");
            return;
        }
        assertEquals(1, command);
        // "Other values are unspecified and must not be emitted in version 2 of this protocol and
        // must be rejected as invalid by receivers"; DGRAM has no place on a stream connection.
        assertTrue(famProto == 0x00 || famProto == 0x11 || famProto == 0x21 || famProto == 0x31,
                "accepted family/protocol 0x" + Integer.toHexString(famProto));
        if (famProto == 0x00 || famProto == 0x31) {
            assertTrue(r.useReal());
            return;
        }
        int a = famProto == 0x11 ? 4 : 16;
        assertEquals(address(Arrays.copyOfRange(s, 16, 16 + a)), address(r.sourceHost()));
        assertEquals(address(Arrays.copyOfRange(s, 16 + a, 16 + 2 * a)), address(r.destHost()));
        assertEquals(((s[16 + 2 * a] & 0xff) << 8) | (s[17 + 2 * a] & 0xff), r.sourcePort());
        assertEquals(((s[18 + 2 * a] & 0xff) << 8) | (s[19 + 2 * a] & 0xff), r.destPort());
    }

    private static InetAddress address(String literal) {
        byte[] b = literal.indexOf(':') >= 0 ? IpText.v6(literal) : IpText.v4(literal);
        assertTrue(b != null, "not an address: " + literal);
        return address(b);
    }

    private static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
