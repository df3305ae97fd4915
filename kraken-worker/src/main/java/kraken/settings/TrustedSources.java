package kraken.settings;

import java.util.ArrayList;
import java.util.List;
import kraken.net.IpText;
import kraken.posix.SocketAddress;

/**
 * kraken.proxy.from: the addresses and CIDR blocks whose connections must begin with a PROXY
 * header. An IPv4-mapped IPv6 peer (a dual-stack listener) is matched as the IPv4 address it is.
 */
public final class TrustedSources {
    private record Block(byte[] prefix, int bits) {
        boolean contains(byte[] a) {
            if (a.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (prefix[full] & mask);
        }
    }

    private final List<Block> blocks;

    private TrustedSources(List<Block> blocks) {
        this.blocks = blocks;
    }

    public static TrustedSources none() {
        return new TrustedSources(List.of());
    }

    /** The sources of a valid kraken.proxy.from list; IllegalArgumentException naming a bad entry. */
    public static TrustedSources of(List<String> entries) {
        List<Block> blocks = new ArrayList<>();
        for (String e : entries) {
            Block b = block(e);
            if (b == null) {
                throw new IllegalArgumentException("not an IP address or CIDR block: \"" + e + "\"");
            }
            blocks.add(b);
        }
        return new TrustedSources(List.copyOf(blocks));
    }

    /** Whether one entry is an IPv4 or IPv6 address, or a CIDR block "address/bits". */
    public static boolean isValidEntry(String e) {
        return block(e) != null;
    }

    private static Block block(String e) {
        int slash = e.indexOf('/');
        String addr = slash < 0 ? e : e.substring(0, slash);
        byte[] a = IpText.v4(addr);
        if (a == null) {
            a = IpText.v6(addr);
            if (a != null && IpText.unmapped(a).length == 4 && slash < 0) {
                a = IpText.unmapped(a);
            }
        }
        if (a == null) {
            return null;
        }
        int bits = a.length * 8;
        if (slash >= 0) {
            String n = e.substring(slash + 1);
            if (n.isEmpty() || n.length() > 3 || !n.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (n.length() > 1 && n.charAt(0) == '0')) {
                return null;
            }
            bits = Integer.parseInt(n);
            if (bits > a.length * 8) {
                return null;
            }
        }
        return new Block(a, bits);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether a connection from peer must carry a PROXY header. Unix-domain peers never do. */
    public boolean trusts(SocketAddress peer) {
        if (blocks.isEmpty() || !peer.isIp()) {
            return false;
        }
        byte[] raw = peer.address();
        byte[] plain = IpText.unmapped(raw);
        for (Block b : blocks) {
            if (b.contains(raw) || b.contains(plain)) {
                return true;
            }
        }
        return false;
    }
}
