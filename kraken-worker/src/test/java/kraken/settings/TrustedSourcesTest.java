package kraken.settings;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import kraken.posix.SocketAddress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("unit")
@Timeout(30)
class TrustedSourcesTest {
    static SocketAddress at(String host) throws Exception {
        return SocketAddress.of(host, 1234, host.indexOf(':') >= 0);
    }

    @Test
    void addressesAndBlocksOfBothFamilies() throws Exception {
        TrustedSources t = TrustedSources.of(List.of("127.0.0.1", "10.0.0.0/8", "192.168.1.128/25", "::1",
                "2001:db8::/32"));
        assertTrue(t.trusts(at("127.0.0.1")));
        assertFalse(t.trusts(at("127.0.0.2")));
        assertTrue(t.trusts(at("10.255.1.2")));
        assertFalse(t.trusts(at("11.0.0.1")));
        assertTrue(t.trusts(at("192.168.1.200")));
        assertFalse(t.trusts(at("192.168.1.127")));
        assertTrue(t.trusts(at("::1")));
        assertTrue(t.trusts(at("2001:db8:ffff::9")));
        assertFalse(t.trusts(at("2001:db9::1")));
        // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d.
        assertTrue(t.trusts(at("::ffff:10.1.2.3")));
        assertFalse(TrustedSources.none().trusts(at("127.0.0.1")));
        assertTrue(TrustedSources.of(List.of("0.0.0.0/0")).trusts(at("8.8.8.8")));
        assertFalse(TrustedSources.of(List.of("0.0.0.0/0")).trusts(at("::1")));
    }

    @Test
    void entriesAreNumericOnly() {
        for (String bad : new String[] {"localhost", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/08",
                "1.2.3.4/-1", "", "fe80::1%eth0", "[::1]", "1.2.3.4 ", "01.2.3.4"}) {
            assertFalse(TrustedSources.isValidEntry(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> TrustedSources.of(List.of(bad)));
        }
        for (String good : new String[] {"0.0.0.0/0", "::/0", "::ffff:127.0.0.1", "fd00::/8", "255.255.255.255/32"}) {
            assertTrue(TrustedSources.isValidEntry(good), good);
        }
    }
}
