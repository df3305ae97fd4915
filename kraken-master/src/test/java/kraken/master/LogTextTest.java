package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LogTextTest {
    @Test
    void plainTextIsUnchanged() {
        assertEquals("connection from 127.0.0.1:5 served: ok", LogText.escape("connection from 127.0.0.1:5 served: ok"));
        assertEquals("café ünïcode ✓", LogText.escape("café ünïcode ✓"));
    }

    @Test
    void controlCharactersAndBackslashesAreEscaped() {
        assertEquals("a\\nb\\rc\\td\\\\e\\x1b[2K\\x00\\x7f\\x85", LogText.escape("a\nb\rc\td\\e\u001b[2K\u0000\u007f\u0085"));
        assertEquals("x\\u{2028}y\\u{202e}z", LogText.escape("x\u2028y\u202ez"));
    }

    @Test
    void invalidUtf8BytesBecomeHexEscapes() {
        byte[] b = {'o', 'k', (byte) 0xff, (byte) 0xc3, (byte) 0xa9, (byte) 0xc0, (byte) 0xaf, (byte) 0xe2, '\n'};
        assertEquals("ok\\xffé\\xc0\\xaf\\xe2\\n", LogText.escape(LogText.decode(b, 0, b.length)));
        byte[] cut = "é".getBytes(StandardCharsets.UTF_8);
        assertEquals("\\xc3", LogText.escape(LogText.decode(cut, 0, 1)));
    }
}
