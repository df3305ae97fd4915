package kraken.lua51;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;

/**
 * One open file of the io library, with C stdio's behaviour: reads are buffered (writes as setvbuf says), a read
 * runs to the real end of the data (never to a length the file claims, which /proc files and pipes
 * do not have), and a file opened for update may switch between reading and writing.
 *
 * The source is a RandomAccessFile (regular files, /proc, devices: seekable) or a plain stream
 * (pipes, the standard streams, files opened for writing only: "Illegal seek"). Never a
 * FileChannel: the JDK's NIO keeps a socket open for the life of the JVM once loaded, which a
 * "state" worker's descriptor census would take for a connection's leak.
 */
final class LuaFile {
    /** What closing the file does beyond closing its streams: waiting for a popen'ed process. */
    interface Closer {
        void close() throws IOException;

        boolean running();
    }

    private static final int BUFFER = 8192;

    private final RandomAccessFile channel;
    private final InputStream in;
    private final OutputStream out;
    private final boolean append;
    private final boolean standard;
    private final Closer closer;
    private boolean closed;

    /** Made at the first read: most files (stdout, stderr, and stdin for every fresh state) are never read. */
    private byte[] rbuf;
    private int rpos;
    private int rlim;
    private final ByteArrayOutputStream wbuf = new ByteArrayOutputStream();

    /** How writes are held: NO by default (see write), FULL or LINE when setvbuf asks. */
    enum Buffering { NO, LINE, FULL }

    private Buffering buffering = Buffering.NO;
    private final boolean readable;
    private final boolean writable;

    private LuaFile(RandomAccessFile channel, boolean readable, boolean writable, InputStream in, OutputStream out,
            boolean append, boolean standard, Closer closer) {
        this.channel = channel;
        this.readable = readable;
        this.writable = writable;
        this.in = in;
        this.out = out;
        this.append = append;
        this.standard = standard;
        this.closer = closer;
    }

    static LuaFile ofFile(RandomAccessFile channel, boolean readable, boolean writable, boolean append) {
        return new LuaFile(channel, readable, writable, null, null, append, false, null);
    }

    static LuaFile ofStreams(InputStream in, OutputStream out, boolean standard, Closer closer) {
        return new LuaFile(null, in != null, out != null, in, out, false, standard, closer);
    }

    boolean isStandard() {
        return standard;
    }

    boolean isClosed() {
        return closed;
    }

    // ---- reading

    /** Fills the read buffer if it is empty; false at the end of the data. */
    private boolean fill() throws IOException {
        if (rpos < rlim) {
            return true;
        }
        if (!readable) {
            // stdio knows the mode a file was opened in: EBADF, as fread on a write-only FILE.
            throw new IOException("Bad file descriptor");
        }
        flushWrites();
        rpos = 0;
        rlim = 0;
        if (rbuf == null) {
            rbuf = new byte[BUFFER];
        }
        int n;
        if (channel != null) {
            n = channel.read(rbuf, 0, rbuf.length);
        } else if (in != null) {
            n = in.read(rbuf, 0, rbuf.length);
        } else {
            throw new IOException("Bad file descriptor");
        }
        if (n <= 0) {
            return false;
        }
        rlim = n;
        return true;
    }

    /** The next byte, or -1 at the end. */
    int read() throws IOException {
        return fill() ? rbuf[rpos++] & 0xff : -1;
    }

    /** The next byte without consuming it, or -1 at the end. */
    int peek() throws IOException {
        return fill() ? rbuf[rpos] & 0xff : -1;
    }

    /** A line without its '\n', or null at the end of the data with nothing read. */
    byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (fill()) {
            for (int i = rpos; i < rlim; i++) {
                if (rbuf[i] == '\n') {
                    line.write(rbuf, rpos, i - rpos);
                    rpos = i + 1;
                    return line.toByteArray();
                }
            }
            line.write(rbuf, rpos, rlim - rpos);
            rpos = rlim;
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    /** Up to n bytes; null when none is left. */
    byte[] readChars(long n) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (n > 0 && fill()) {
            int k = (int) Math.min(n, rlim - rpos);
            got.write(rbuf, rpos, k);
            rpos += k;
            n -= k;
        }
        return got.size() == 0 ? null : got.toByteArray();
    }

    /**
     * fscanf's "%lf": skips white space, then takes the longest prefix that reads as a number
     * (decimal or hexadecimal, with an exponent); null when there is none.
     */
    Double readNumber() throws IOException {
        int c;
        while ((c = peek()) == ' ' || c >= 9 && c <= 13) {
            read();
        }
        StringBuilder sb = new StringBuilder();
        if (c == '+' || c == '-') {
            sb.append((char) read());
        }
        int first = peek();
        if (first == 'n' || first == 'N' || first == 'i' || first == 'I') {
            return readWord(sb, first == 'n' || first == 'N' ? "nan" : "infinity");
        }
        boolean hex = false;
        if (peek() == '0') {
            sb.append((char) read());
            if (peek() == 'x' || peek() == 'X') {
                sb.append((char) read());
                hex = true;
            }
        }
        takeDigits(sb, hex);
        if (peek() == '.') {
            sb.append((char) read());
            takeDigits(sb, hex);
        }
        int e = peek();
        if (hex ? e == 'p' || e == 'P' : e == 'e' || e == 'E') {
            sb.append((char) read());
            if (peek() == '+' || peek() == '-') {
                sb.append((char) read());
            }
            takeDigits(sb, false);
        }
        // Like fscanf, what was read is consumed even when only a prefix of it is a number.
        for (int end = sb.length(); end > 0; end--) {
            Double d = Lua51Numbers.parse(sb.substring(0, end));
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /** glibc's scanf on "nan" and "inf[inity]": the first byte that does not fit is consumed too. */
    private Double readWord(StringBuilder sb, String word) throws IOException {
        int matched = 0;
        while (matched < word.length()) {
            int c = read();
            if (c < 0 || Character.toLowerCase(c) != word.charAt(matched)) {
                break;
            }
            sb.append((char) c);
            matched++;
        }
        if (matched == word.length() || word.equals("infinity") && matched == 3) {
            return Lua51Numbers.parse(sb.toString());
        }
        return null;
    }

    private void takeDigits(StringBuilder sb, boolean hex) throws IOException {
        int c;
        while ((c = peek()) >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
            sb.append((char) read());
        }
    }

    /** Everything to the end of the data, "" when nothing is left. */
    byte[] readAll() throws IOException {
        byte[] b = readChars(Long.MAX_VALUE);
        return b == null ? new byte[0] : b;
    }

    /** Whether the end of the data is reached (read(0)'s test). */
    boolean atEnd() throws IOException {
        return !fill();
    }

    // ---- writing

    void write(byte[] b) throws IOException {
        if (!writable) {
            throw new IOException("Bad file descriptor");
        }
        if (rpos < rlim && channel != null) {
            // Update mode switching from reading: the next write goes where reading stopped.
            channel.seek(position());
            rpos = rlim = 0;
        }
        wbuf.write(b, 0, b.length);
        // Unless setvbuf asked for a buffer, every write reaches the OS at once: LuaJ cannot run a
        // file's __gc, and 5.1 scripts count on the collector to flush files they never close.
        if (buffering == Buffering.NO || wbuf.size() >= BUFFER || buffering == Buffering.LINE && hasNewline(b)) {
            flushWrites();
        }
    }

    private static boolean hasNewline(byte[] b) {
        for (byte c : b) {
            if (c == '\n') {
                return true;
            }
        }
        return false;
    }

    void setBuffering(Buffering mode) throws IOException {
        buffering = mode;
        flushWrites();
    }

    private void flushWrites() throws IOException {
        if (wbuf.size() == 0) {
            return;
        }
        byte[] b = wbuf.toByteArray();
        wbuf.reset();
        if (channel != null) {
            if (append) {
                channel.seek(channel.length());
            }
            channel.write(b);
        } else if (out != null) {
            out.write(b);
        } else {
            throw new IOException("Bad file descriptor");
        }
    }

    void flush() throws IOException {
        flushWrites();
        if (out != null) {
            out.flush();
        }
    }

    // ---- position

    private long position() throws IOException {
        return channel.getFilePointer() - (rlim - rpos);
    }

    /** fseek and ftell: the new position. */
    long seek(String whence, long offset) throws IOException {
        if (channel == null) {
            throw new IOException("Illegal seek");
        }
        flushWrites();
        long base = switch (whence) {
            case "set" -> 0;
            case "end" -> channel.length();
            default -> position();
        };
        long to = base + offset;
        if (to < 0) {
            throw new IOException("Invalid argument");
        }
        channel.seek(to);
        rpos = rlim = 0;
        return to;
    }

    /** Whether closing would have to wait for a child process that is still running. */
    boolean hasRunningChild() {
        return closer != null && closer.running();
    }

    void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushWrites();
        } finally {
            if (channel != null) {
                channel.close();
            }
            if (out != null) {
                out.close();
            }
            if (in != null) {
                in.close();
            }
            if (closer != null) {
                closer.close();
            }
        }
    }
}
