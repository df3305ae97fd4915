package kraken.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** PROXY v2 headers as a load balancer sends them, for tests. */
public final class ProxyHeaderBytes {
    private ProxyHeaderBytes() {}

    public static final byte[] SIG = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    public static byte[] v2Tcp4(byte[] src, int sport, String after) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(SIG);
        b.write(0x21);
        b.write(0x11);
        b.write(0);
        b.write(12 + 7);
        b.writeBytes(src);
        b.writeBytes(new byte[] {127, 0, 0, 1});
        b.write(sport >> 8);
        b.write(sport & 0xff);
        b.write(0);
        b.write(80);
        b.writeBytes(new byte[] {0x04, 0, 4, 1, 2, 3, 4}); // a NOOP TLV, skipped
        b.writeBytes(after.getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    public static byte[] v2Local(String after) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(SIG);
        b.write(0x20);
        b.write(0x00);
        b.write(0);
        b.write(0);
        b.writeBytes(after.getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }
}
