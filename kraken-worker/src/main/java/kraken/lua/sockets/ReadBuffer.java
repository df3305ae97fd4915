package kraken.lua.sockets;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * The bytes a socket received and no method has returned yet. receive() and rawrecv() both
 * take from here first, so bytes that arrived after a line are never lost, and a timeout in
 * the middle of a line keeps what was read. Pure bookkeeping: the socket does the reading,
 * so every rule about lines can be tested without one.
 */
final class ReadBuffer {
    /** What {@link #nextLine} and {@link #lastLine} return for a line over the limit, after dropping it. */
    static final LuaValue TOO_LONG = LuaValue.FALSE;

    private static final int CHUNK = 8192;

    private byte[] buf = new byte[CHUNK];
    private int start;
    private int end;
    /** Bytes from start already searched without finding '\n', so each byte is searched once. */
    private int scanned;

    int size() {
        return end - start;
    }

    boolean isEmpty() {
        return start == end;
    }

    /** The array to receive into, with at least one free byte from {@link #writeOffset()}. */
    byte[] array() {
        return buf;
    }

    int writeOffset() {
        return end;
    }

    int writable() {
        return buf.length - end;
    }

    /** Makes room for a read of up to CHUNK bytes, keeping what is buffered. */
    void prepareRead() {
        if (start == end) {
            start = 0;
            end = 0;
        }
        if (buf.length - end >= CHUNK) {
            return;
        }
        int size = end - start;
        if (size + CHUNK > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, size + CHUNK)];
            System.arraycopy(buf, start, bigger, 0, size);
            buf = bigger;
        } else {
            System.arraycopy(buf, start, buf, 0, size);
        }
        start = 0;
        end = size;
    }

    /** Records that n bytes were received at {@link #writeOffset()}. */
    void wrote(int n) {
        end += n;
    }

    /** Adds bytes (for tests and for callers that read elsewhere). */
    void append(byte[] bytes, int off, int len) {
        while (len > 0) {
            prepareRead();
            int n = Math.min(len, writable());
            System.arraycopy(bytes, off, buf, end, n);
            end += n;
            off += n;
            len -= n;
        }
    }

    /** Up to n buffered bytes, removed from the buffer. */
    LuaString take(int n) {
        int len = Math.min(n, size());
        LuaString s = LuaString.valueOf(buf, start, len);
        consume(len);
        return s;
    }

    /**
     * The next complete line without its "\n" and a "\r" just before it; null when no complete
     * line is buffered yet; {@link #TOO_LONG} when the line has more than limit bytes, in which
     * case the line is dropped through its "\n", or every buffered byte when its end has not
     * arrived (those are all bytes of that line).
     */
    LuaValue nextLine(int limit) {
        int nl = indexOfNewline();
        if (nl < 0) {
            if (provablyTooLong(limit)) {
                consume(size());
                return TOO_LONG;
            }
            return null;
        }
        int len = nl - start;
        int content = len > 0 && buf[nl - 1] == '\r' ? len - 1 : len;
        if (content > limit) {
            consume(len + 1);
            return TOO_LONG;
        }
        LuaString line = LuaString.valueOf(buf, start, content);
        consume(len + 1);
        return line;
    }

    /**
     * At end of stream: the unterminated last line, as it is (a lone "\r" at its end is not a
     * terminator); null when nothing is left; {@link #TOO_LONG} when it is over the limit.
     * Call after {@link #nextLine} returned null.
     */
    LuaValue lastLine(int limit) {
        if (isEmpty()) {
            return null;
        }
        int len = size();
        if (len > limit) {
            consume(len);
            return TOO_LONG;
        }
        return take(len);
    }

    // With no "\n" buffered, the line is at least size() bytes, less one if the last is a "\r"
    // that a "\n" may still follow: past the limit whatever arrives next.
    private boolean provablyTooLong(int limit) {
        int size = size();
        int atLeast = size > 0 && buf[end - 1] == '\r' ? size - 1 : size;
        return atLeast > limit;
    }

    private int indexOfNewline() {
        for (int i = start + scanned; i < end; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        scanned = end - start;
        return -1;
    }

    private void consume(int n) {
        start += n;
        scanned = 0;
        if (start == end) {
            start = 0;
            end = 0;
        }
    }
}
