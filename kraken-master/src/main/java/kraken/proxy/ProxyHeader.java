package kraken.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import kraken.net.IpText;
import kraken.posix.SocketAddress;

/**
 * Reads one PROXY protocol header, version 1 or 2 (HAProxy's doc/proxy-protocol.txt), from the
 * bytes a connection offers, and never takes a byte past it: the caller peeks at what is
 * available, {@link #offer} says how many of those bytes belong to the header, and the caller
 * then consumes exactly that many. What follows the header stays in the socket for the
 * application. No I/O here, so every rule is unit-tested on the specification's examples.
 *
 * <p>Never guess: the first byte decides the version ('P' for "PROXY ", CR for the v2
 * signature), anything else is invalid. v1 ends at CRLF within 107 bytes. v2 is 16 bytes and
 * then the length they announce, taken whole: the address block is kept, TLVs are skipped.
 * LOCAL (v2), UNKNOWN (v1) and the families without an IP address keep the real addresses.
 * At most 232 bytes are ever stored.
 */
public final class ProxyHeader {
    public static final int V1_MAX = 107;
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int V2_FIXED = 16;
    /** The v2 address block of AF_UNIX, the largest: 2 x 108. */
    private static final int V2_ADDRESS_MAX = 216;

    /** A header that breaks the specification; the message says how. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /**
     * What the header said. With {@code useReal}, the connection's own addresses stand (LOCAL,
     * UNKNOWN, AF_UNSPEC, AF_UNIX); otherwise the source is the client's.
     */
    public record Result(int version, boolean useReal, String sourceHost, int sourcePort, String destHost,
                         int destPort) {}

    private final byte[] stored = new byte[V2_FIXED + V2_ADDRESS_MAX];
    private int storedLength;
    /** Bytes of the header taken so far, stored or skipped. */
    private int taken;
    private int version;
    /** v2: the whole header's length, once the fixed part is in. */
    private int v2Total = -1;
    private Result result;

    public boolean isComplete() {
        return result != null;
    }

    public Result result() {
        return result;
    }

    /**
     * Offers the next available bytes of the connection (avail[0..n), n > 0). Returns how many
     * of them are header: the caller must consume exactly that many, then offer more if the
     * header is not complete.
     */
    public int offer(byte[] avail, int n) throws Invalid {
        if (result != null) {
            return 0;
        }
        if (version == 0) {
            version = avail[0] == 'P' ? 1 : avail[0] == 0x0D ? 2 : -1;
            if (version < 0) {
                throw new Invalid("not a PROXY protocol header");
            }
        }
        return version == 1 ? offerV1(avail, n) : offerV2(avail, n);
    }

    private int offerV1(byte[] avail, int n) throws Invalid {
        int k = n;
        for (int i = 0; i < n; i++) {
            if (avail[i] == '\n') {
                k = i + 1;
                break;
            }
        }
        if (taken + k > V1_MAX) {
            throw new Invalid("v1 header longer than " + V1_MAX + " bytes");
        }
        take(avail, k);
        for (int i = 0; i < Math.min(storedLength, V1_PREFIX.length); i++) {
            if (stored[i] != V1_PREFIX[i]) {
                throw new Invalid("not a PROXY protocol header");
            }
        }
        if (stored[storedLength - 1] == '\n') {
            if (storedLength < 2 || stored[storedLength - 2] != '\r') {
                throw new Invalid("v1 header ends with LF without CR");
            }
            result = parseV1(new String(stored, 0, storedLength - 2, StandardCharsets.ISO_8859_1));
        }
        return k;
    }

    private int offerV2(byte[] avail, int n) throws Invalid {
        int k;
        if (taken < V2_FIXED) {
            k = Math.min(n, V2_FIXED - taken);
        } else {
            k = Math.min(n, v2Total - taken);
        }
        take(avail, k);
        for (int i = 0; i < Math.min(storedLength, V2_SIGNATURE.length); i++) {
            if (stored[i] != V2_SIGNATURE[i]) {
                throw new Invalid("not a PROXY protocol header");
            }
        }
        if (taken == V2_FIXED && v2Total < 0) {
            int verCmd = stored[12] & 0xff;
            if (verCmd >> 4 != 2) {
                throw new Invalid("v2 header of version " + (verCmd >> 4));
            }
            if ((verCmd & 0xf) > 1) {
                throw new Invalid("v2 header with unknown command " + (verCmd & 0xf));
            }
            int length = ((stored[14] & 0xff) << 8) | (stored[15] & 0xff);
            int needed = (verCmd & 0xf) == 0 ? 0 : addressLength(stored[13] & 0xff);
            if (length < needed) {
                throw new Invalid("v2 address block of " + length + " bytes, family needs " + needed);
            }
            v2Total = V2_FIXED + length;
        }
        if (v2Total >= 0 && taken == v2Total) {
            result = parseV2();
        }
        return k;
    }

    // doc/proxy-protocol.txt lists the valid bytes (0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32): "Other
    // values are unspecified and must not be emitted in version 2 of this protocol and must be
    // rejected as invalid by receivers" (AF_INET with an UNSPEC protocol, 0x10, among them).
    private static int addressLength(int famProto) throws Invalid {
        return switch (famProto) {
            case 0x00 -> 0;
            case 0x11 -> 12;
            case 0x21 -> 36;
            case 0x31 -> 216;
            case 0x12, 0x22, 0x32 -> throw new Invalid("v2 header for a datagram (DGRAM) on a stream connection");
            default -> throw new Invalid("v2 header with unknown family/protocol 0x" + Integer.toHexString(famProto));
        };
    }

    // Keeps what fits (the v1 line, the v2 fixed part and address block); the rest (TLVs) is counted only.
    private void take(byte[] avail, int k) {
        int keep = Math.min(k, stored.length - storedLength);
        System.arraycopy(avail, 0, stored, storedLength, keep);
        storedLength += keep;
        taken += k;
    }

    private Result parseV2() {
        boolean local = (stored[12] & 0xf) == 0;
        int family = (stored[13] & 0xff) >> 4;
        if (local || family == 0 || family == 3) {
            return new Result(2, true, null, 0, null, 0);
        }
        int a = family == 1 ? 4 : 16;
        byte[] src = Arrays.copyOfRange(stored, V2_FIXED, V2_FIXED + a);
        byte[] dst = Arrays.copyOfRange(stored, V2_FIXED + a, V2_FIXED + 2 * a);
        int at = V2_FIXED + 2 * a;
        int sport = ((stored[at] & 0xff) << 8) | (stored[at + 1] & 0xff);
        int dport = ((stored[at + 2] & 0xff) << 8) | (stored[at + 3] & 0xff);
        return new Result(2, false, text(src), sport, text(dst), dport);
    }

    /** "PROXY TCP4 src dst sport dport" (without CRLF), exactly as the specification writes it. */
    static Result parseV1(String line) throws Invalid {
        String[] f = line.split(" ", -1);
        if (f.length >= 2 && f[1].equals("UNKNOWN")) {
            // "the receiver must ignore anything presented before the CRLF" and use the real addresses.
            return new Result(1, true, null, 0, null, 0);
        }
        if (f.length != 6 || !f[0].equals("PROXY")) {
            throw new Invalid("v1 header is not \"PROXY TCP4|TCP6 source destination sport dport\"");
        }
        boolean v6;
        if (f[1].equals("TCP4")) {
            v6 = false;
        } else if (f[1].equals("TCP6")) {
            v6 = true;
        } else {
            throw new Invalid("v1 header with unknown protocol");
        }
        byte[] src = v6 ? IpText.v6(f[2]) : IpText.v4(f[2]);
        byte[] dst = v6 ? IpText.v6(f[3]) : IpText.v4(f[3]);
        if (src == null || dst == null) {
            throw new Invalid("v1 header with an invalid " + (v6 ? "IPv6" : "IPv4") + " address");
        }
        return new Result(1, false, text(src), port(f[4]), text(dst), port(f[5]));
    }

    private static int port(String s) throws Invalid {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')
                || (s.length() > 1 && s.charAt(0) == '0')) {
            throw new Invalid("v1 header with an invalid port");
        }
        int p = Integer.parseInt(s);
        if (p > 65535) {
            throw new Invalid("v1 header with an invalid port");
        }
        return p;
    }

    private static String text(byte[] addr) {
        return SocketAddress.ofBytes(addr, 0).host();
    }
}
