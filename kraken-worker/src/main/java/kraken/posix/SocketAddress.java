package kraken.posix;

import java.net.InetAddress;
import java.net.UnknownHostException;
import kraken.net.HostPort;

/**
 * An IPv4 or IPv6 address and port, or an AF_UNIX path, as the native calls read and write it.
 */
public final class SocketAddress {
    /** Large enough for sun_path. */
    final byte[] raw = new byte[108];
    /** {address bytes, port, family}. */
    final int[] info = new int[3];

    /** Resolves host ("*" is the any-address of the family, IPv6 when ipv6 is set). */
    public static SocketAddress of(String host, int port, boolean ipv6) throws UnknownHostException {
        SocketAddress a = new SocketAddress();
        byte[] bytes;
        if ("*".equals(host)) {
            bytes = new byte[ipv6 ? 16 : 4];
        } else {
            bytes = InetAddress.getByName(host).getAddress();
            if (ipv6 && bytes.length == 4) {
                bytes = mapped(bytes);
            }
        }
        System.arraycopy(bytes, 0, a.raw, 0, bytes.length);
        a.info[0] = bytes.length;
        a.info[1] = port;
        a.info[2] = bytes.length == 16 ? Posix.Constant.AF_INET6.value : Posix.Constant.AF_INET.value;
        return a;
    }

    /** An address from its 4 (IPv4) or 16 (IPv6) bytes. */
    public static SocketAddress ofBytes(byte[] bytes, int port) {
        if (bytes.length != 4 && bytes.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
        }
        SocketAddress a = new SocketAddress();
        System.arraycopy(bytes, 0, a.raw, 0, bytes.length);
        a.info[0] = bytes.length;
        a.info[1] = port;
        a.info[2] = bytes.length == 16 ? Posix.Constant.AF_INET6.value : Posix.Constant.AF_INET.value;
        return a;
    }

    private static byte[] mapped(byte[] v4) {
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        return v6;
    }

    /** The address bytes: 4 for IPv4, 16 for IPv6, none when unset or not an IP address. */
    public byte[] address() {
        byte[] out = new byte[info[0]];
        System.arraycopy(raw, 0, out, 0, out.length);
        return out;
    }

    public boolean isIp() {
        return !isUnix() && (info[0] == 4 || info[0] == 16);
    }

    public boolean isIpv6() {
        return isIp() && info[0] == 16;
    }

    public boolean isUnix() {
        return info[2] == Posix.Constant.AF_UNIX.value;
    }

    /**
     * An AF_UNIX socket's path; an abstract name as "@name"; "" when unnamed (the peer of a
     * connection to a Unix-domain listener); null when this is not an AF_UNIX address.
     */
    public String path() {
        if (!isUnix()) {
            return null;
        }
        int n = info[0];
        if (n > 0 && raw[0] == 0) {
            return "@" + new String(raw, 1, n - 1, java.nio.charset.StandardCharsets.UTF_8);
        }
        return new String(raw, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The bytes of sun_path for a path, or for "@name" an abstract name (a leading NUL). */
    public static byte[] unixPathBytes(String path) {
        byte[] b = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (path.startsWith("@")) {
            b[0] = 0;
        }
        return b;
    }

    public int port() {
        return info[1];
    }

    /** The numeric host, e.g. "127.0.0.1" or "::1". */
    public String host() {
        if (!isIp()) {
            return null;
        }
        try {
            String h = InetAddress.getByAddress(address()).getHostAddress();
            int zone = h.indexOf('%');
            h = zone < 0 ? h : h.substring(0, zone);
            return info[0] == 16 ? compress(h) : h;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    // Java prints IPv6 in full ("0:0:0:0:0:0:0:1"); people and inet_ntop write "::1".
    private static String compress(String full) {
        String[] parts = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < parts.length; ) {
            if (parts[i].equals("0")) {
                int j = i;
                while (j < parts.length && parts[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(parts, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(parts, bestStart + bestLen, parts.length));
        return head + "::" + tail;
    }

    @Override
    public String toString() {
        if (isUnix()) {
            return "unix:" + path();
        }
        return HostPort.format(host(), port());
    }
}
