package kraken.master;

/**
 * Makes text safe for the master's log, which is one line per event: whatever a worker or a
 * client sent (an error message, a line of output, an address) must not be able to end the line
 * and start a forged one. Control characters and other invisible code points become escapes:
 * {@code \n}, {@code \r}, {@code \t}, {@code \\} for a backslash (so that an escape written by
 * the attacker reads back differently from one made here), {@code \xNN} for other C0/C1 bytes and
 * for each byte that was not valid UTF-8 (see {@link #decode}), <code>&#92;u{NNNN}</code> for Unicode line separators, format
 * characters, surrogates and unassigned code points.
 */
final class LogText {
    private LogText() {}

    static String escape(String s) {
        if (s == null) {
            return "null";
        }
        if (isPlain(s)) {
            return s; // the usual case: no copy
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            append(b, cp);
        }
        return b.toString();
    }

    /**
     * Decodes UTF-8 bytes for {@link #escape(String)}: each byte of an invalid sequence becomes
     * the lone surrogate U+DC80 + byte (Python's "surrogateescape"), which escape() writes as
     * \xNN. No escaping happens here, so the log's one escaping step stays in MasterLog.
     */
    static String decode(byte[] bytes, int off, int len) {
        StringBuilder b = new StringBuilder(len);
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = bytes[i] & 0xff;
            if (c < 0x80) {
                b.append((char) c);
                i++;
                continue;
            }
            int need = c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
            int cp = need == 1 ? c & 0x1f : need == 2 ? c & 0x0f : c & 0x07;
            boolean ok = need > 0 && i + need < end;
            for (int k = 1; ok && k <= need; k++) {
                int cc = bytes[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) {
                    ok = false;
                } else {
                    cp = (cp << 6) | (cc & 0x3f);
                }
            }
            // Overlong forms, surrogates and code points beyond U+10FFFF are not UTF-8.
            if (ok && ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff))
                    || (cp >= 0xd800 && cp <= 0xdfff))) {
                ok = false;
            }
            if (ok) {
                b.appendCodePoint(cp);
                i += need + 1;
            } else {
                b.append((char) (0xdc00 + c));
                i++;
            }
        }
        return b.toString();
    }

    private static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static void append(StringBuilder b, int cp) {
        switch (cp) {
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            case '\\' -> b.append("\\\\");
            default -> {
                if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
                    hex(b, cp);
                } else if (cp >= 0xdc80 && cp <= 0xdcff) {
                    hex(b, cp - 0xdc00); // a byte that was not UTF-8 (see decode)
                } else if (cp >= 0xa0 && invisible(cp)) {
                    b.append("\\u{").append(Integer.toHexString(cp)).append('}');
                } else {
                    b.appendCodePoint(cp);
                }
            }
        }
    }

    private static boolean invisible(int cp) {
        int t = Character.getType(cp);
        return t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR || t == Character.FORMAT
                || t == Character.SURROGATE || t == Character.UNASSIGNED || t == Character.CONTROL
                || t == Character.PRIVATE_USE;
    }

    private static void hex(StringBuilder b, int v) {
        b.append("\\x").append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
    }
}
