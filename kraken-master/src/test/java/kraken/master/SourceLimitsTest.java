package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SourceLimitsTest {
    private static SourceLimits.Source of(String ip) throws Exception {
        return SourceLimits.sourceOf(InetAddress.getByName(ip).getAddress());
    }

    @Test
    void anIpv6SourceIsItsSlash64() throws Exception {
        assertEquals(of("2001:db8:1:2::1"), of("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assertEquals(of("::1"), of("::2"));
        assertNotEquals(of("2001:db8:1:2::1"), of("2001:db8:1:3::1"));
        assertNotEquals(of("2001:db8:1:2::1"), of("2001:db8:1:2::1".replace("2001", "2002")));
    }

    @Test
    void anIpv4SourceIsItsAddressAndAMappedOneIsTheSame() throws Exception {
        assertNotEquals(of("10.0.0.1"), of("10.0.0.2"));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        assertEquals(of("10.0.0.1"), SourceLimits.sourceOf(mapped));
        // IPv4 and IPv6 never share a key, even when the bits agree.
        assertNotEquals(of("0.0.0.1"), SourceLimits.sourceOf(new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
    }
}
