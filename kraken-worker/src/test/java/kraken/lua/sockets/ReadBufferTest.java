package kraken.lua.sockets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

@Tag("unit")
@Timeout(10)
class ReadBufferTest {
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    private static void add(ReadBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        b.append(bytes, 0, bytes.length);
    }

    private static String text(LuaValue v) {
        LuaString s = (LuaString) v;
        return new String(s.m_bytes, s.m_offset, s.m_length, StandardCharsets.ISO_8859_1);
    }

    @Test
    void linesLoseTheirNewlineAndOneCarriageReturnBeforeIt() {
        ReadBuffer b = new ReadBuffer();
        add(b, "one\ntwo\r\nthree\r\r\na\rb\n\n");
        assertEquals("one", text(b.nextLine(NO_LIMIT)));
        assertEquals("two", text(b.nextLine(NO_LIMIT)));
        assertEquals("three\r", text(b.nextLine(NO_LIMIT)));
        assertEquals("a\rb", text(b.nextLine(NO_LIMIT)));
        assertEquals("", text(b.nextLine(NO_LIMIT)));
        assertNull(b.nextLine(NO_LIMIT));
        assertTrue(b.isEmpty());
    }

    @Test
    void aLineArrivingInPiecesIsReturnedWhole() {
        ReadBuffer b = new ReadBuffer();
        add(b, "hel");
        assertNull(b.nextLine(NO_LIMIT));
        add(b, "lo\r");
        assertNull(b.nextLine(NO_LIMIT));
        add(b, "\nrest");
        assertEquals("hello", text(b.nextLine(NO_LIMIT)));
        assertNull(b.nextLine(NO_LIMIT));
        assertEquals(4, b.size());
    }

    @Test
    void rawTakesComeFromTheSameBytesAsLines() {
        ReadBuffer b = new ReadBuffer();
        add(b, "line\nabcdef\n");
        assertEquals("line", text(b.nextLine(NO_LIMIT)));
        assertEquals("abc", text(b.take(3)));
        assertEquals("def", text(b.nextLine(NO_LIMIT)));
        add(b, "xy");
        assertEquals("xy", text(b.take(100)));
        assertTrue(b.isEmpty());
    }

    @Test
    void everyByteValueSurvives() {
        ReadBuffer b = new ReadBuffer();
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        b.append(all, 0, all.length);
        LuaString first = (LuaString) b.nextLine(NO_LIMIT);
        assertEquals(10, first.m_length); // bytes 0..9, then byte 10 is "\n"
        for (int i = 0; i < 10; i++) {
            assertEquals(i, first.luaByte(i));
        }
        LuaString rest = (LuaString) b.take(1000);
        byte[] got = new byte[rest.m_length];
        rest.copyInto(0, got, 0, got.length);
        byte[] want = new byte[256 - 11];
        System.arraycopy(all, 11, want, 0, want.length);
        assertArrayEquals(want, got);
    }

    @Test
    void aLineOfExactlyTheLimitIsAccepted() {
        ReadBuffer b = new ReadBuffer();
        add(b, "12345\r\n12345\n");
        assertEquals("12345", text(b.nextLine(5)));
        assertEquals("12345", text(b.nextLine(5)));
    }

    @Test
    void aCompleteLineOverTheLimitIsDroppedThroughItsNewline() {
        ReadBuffer b = new ReadBuffer();
        add(b, "123456\nok\n");
        assertSame(ReadBuffer.TOO_LONG, b.nextLine(5));
        assertEquals("ok", text(b.nextLine(5)));
    }

    @Test
    void anUnfinishedLineOverTheLimitDropsWhatWasReadSoFar() {
        ReadBuffer b = new ReadBuffer();
        add(b, "12345");
        assertNull(b.nextLine(5));
        add(b, "\r");
        assertNull(b.nextLine(5), "a \\r that a \\n may follow keeps the line within the limit");
        add(b, "6");
        assertSame(ReadBuffer.TOO_LONG, b.nextLine(5));
        assertTrue(b.isEmpty());
        add(b, "tail\n");
        assertEquals("tail", text(b.nextLine(5)));
    }

    @Test
    void theLastLineAtEndOfStreamIsReturnedAsItIs() {
        ReadBuffer b = new ReadBuffer();
        add(b, "a\nlast\r");
        assertEquals("a", text(b.nextLine(NO_LIMIT)));
        assertNull(b.nextLine(NO_LIMIT));
        assertEquals("last\r", text(b.lastLine(NO_LIMIT)));
        assertNull(b.lastLine(NO_LIMIT));
    }

    @Test
    void theLastLineObeysTheLimit() {
        ReadBuffer b = new ReadBuffer();
        add(b, "123456");
        assertSame(ReadBuffer.TOO_LONG, b.lastLine(5));
        assertTrue(b.isEmpty());
    }

    @Test
    void longLinesAcrossManyReadsGrowTheBuffer() {
        ReadBuffer b = new ReadBuffer();
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            want.append((char) ('a' + i % 26));
        }
        String s = want + "\nnext\n";
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        for (int off = 0; off < bytes.length; off += 1000) {
            b.prepareRead();
            int n = Math.min(1000, bytes.length - off);
            assertTrue(b.writable() >= n);
            System.arraycopy(bytes, off, b.array(), b.writeOffset(), n);
            b.wrote(n);
        }
        assertEquals(want.toString(), text(b.nextLine(NO_LIMIT)));
        assertEquals("next", text(b.nextLine(NO_LIMIT)));
    }

    @Test
    void anOverlongLineStopsGrowingAtTheLimit() {
        ReadBuffer b = new ReadBuffer();
        byte[] chunk = new byte[1000];
        java.util.Arrays.fill(chunk, (byte) 'x');
        int dropped = 0;
        for (int i = 0; i < 200 && dropped == 0; i++) {
            b.append(chunk, 0, chunk.length);
            if (b.nextLine(10_000) == ReadBuffer.TOO_LONG) {
                dropped = i + 1;
            }
        }
        assertEquals(11, dropped, "dropped as soon as more than the limit was buffered");
        assertTrue(b.isEmpty());
    }
}
