package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import kraken.fuzz.Allocation;
import org.junit.jupiter.api.Tag;

/**
 * The master's log escaping (MasterLog writes every line through {@link LogText#escape}, whatever
 * was escaped before) under any input, as bytes (what a worker or client sent, through
 * {@link LogText#decode}) and as any UTF-16 string, lone surrogates included. The contract: the
 * escaped text holds no control character (C0, DEL, C1), no line or paragraph separator and no
 * unpaired surrogate, so it cannot end the log line or forge one; every backslash in it starts one
 * of the documented escapes, which read back to the input; decode loses no byte; the output is
 * at most a fixed multiple of the input.
 */
@Tag("fuzz")
class LogTextFuzzTest {
    @FuzzTest
    void logText(byte[] data) {
        String decoded = LogText.decode(data, 0, data.length);
        assertEquals(new String(data, StandardCharsets.ISO_8859_1), new String(encodeBack(decoded), StandardCharsets.ISO_8859_1),
                "decode lost bytes");
        if (isUtf8(data)) {
            assertEquals(new String(data, StandardCharsets.UTF_8), decoded, "valid UTF-8 decoded differently");
        }
        checkEscape(decoded);
        char[] chars = new char[data.length / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) (((data[2 * i] & 0xff) << 8) | (data[2 * i + 1] & 0xff));
        }
        checkEscape(new String(chars));
    }

    private static void checkEscape(String s) {
        LogText.escape(s);
        long mark = Allocation.mark();
        String out = LogText.escape(s);
        // Up to ten chars out per char in, each escape a short-lived string of its own.
        Allocation.atMost(mark, 1024 + 256L * s.length(), "escaping");
        assertTrue(out.length() <= 10 * s.length() + 4, "escaped " + s.length() + " chars into " + out.length());
        assertSafe(out);
        assertEquals(s == null ? "null" : comparable(s), unescape(out), "the escapes do not read back to the input");
    }

    private static void assertSafe(String out) {
        for (int i = 0; i < out.length(); ) {
            int cp = out.codePointAt(i);
            int type = Character.getType(cp);
            assertTrue(type != Character.CONTROL && type != Character.LINE_SEPARATOR
                    && type != Character.PARAGRAPH_SEPARATOR && type != Character.SURROGATE,
                    "raw U+" + Integer.toHexString(cp) + " at " + i + " in " + out);
            i += Character.charCount(cp);
        }
    }

    /**
     * The input as the escapes can tell it: \xNN stands for a C0/C1 control or for a byte that was
     * not UTF-8 (U+DC80 + byte, from decode), so the latter reads back as the former.
     */
    private static String comparable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            b.appendCodePoint(cp >= 0xdc80 && cp <= 0xdcff && (cp < 0xdca0) ? cp - 0xdc00 : cp);
        }
        return b.toString();
    }

    /** Reads LogText's escapes back; fails on a backslash that starts none of them. */
    private static String unescape(String out) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            assertTrue(i + 1 < out.length(), "a backslash ends the text: " + out);
            char e = out.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case '\\' -> b.append('\\');
                case 'x' -> {
                    int v = Integer.parseInt(out.substring(i + 1, i + 3), 16);
                    b.append((char) (v < 0x20 || (v >= 0x7f && v < 0xa0) ? v : 0xdc00 + v));
                    i += 2;
                }
                case 'u' -> {
                    int close = out.indexOf('}', i);
                    assertTrue(out.charAt(i + 1) == '{' && close > 0, "bad \\u escape in " + out);
                    b.appendCodePoint(Integer.parseInt(out.substring(i + 2, close), 16));
                    i = close;
                }
                default -> throw new AssertionError("backslash before '" + e + "' in " + out);
            }
        }
        return b.toString();
    }

    private static byte[] encodeBack(String decoded) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < decoded.length(); ) {
            int cp = decoded.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0xdc80 && cp <= 0xdcff) {
                b.write(cp - 0xdc00);
            } else {
                b.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return b.toByteArray();
    }

    private static boolean isUtf8(byte[] data) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(data));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
