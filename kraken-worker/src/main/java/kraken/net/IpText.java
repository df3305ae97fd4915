package kraken.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Numeric IP addresses from text, strictly: never a name lookup, never a lenient form
 * ("1.2.3", "01.2.3.4"). What a PROXY v1 header or a kraken.proxy.from entry may contain.
 */
public final class IpText {
    private IpText() {}

    /** Four bytes for dotted-quad IPv4, else null. */
    public static byte[] v4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** Sixteen bytes for an IPv6 literal (no zone, no brackets), else null. */
    public static byte[] v6(String s) {
        if (s.indexOf(':') < 0 || s.length() > 45 || !s.chars().allMatch(c -> (c >= '0' && c <= '9')
                || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) {
            return null;
        }
        try {
            // A string of hex digits, colons and dots with a colon is parsed as a literal: no lookup.
            byte[] b = InetAddress.getByName(s).getAddress();
            if (b.length == 16) {
                return b;
            }
            // An IPv4-mapped literal ("::ffff:1.2.3.4") comes back as 4 bytes.
            byte[] m = new byte[16];
            m[10] = (byte) 0xff;
            m[11] = (byte) 0xff;
            System.arraycopy(b, 0, m, 12, 4);
            return m;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its 4 IPv4 bytes; other addresses as they are. */
    public static byte[] unmapped(byte[] a) {
        if (a.length != 16) {
            return a;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return a;
            }
        }
        if (a[10] != (byte) 0xff || a[11] != (byte) 0xff) {
            return a;
        }
        return new byte[] {a[12], a[13], a[14], a[15]};
    }
}
