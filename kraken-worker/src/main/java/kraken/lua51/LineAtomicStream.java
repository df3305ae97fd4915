package kraken.lua51;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A process's standard output as a Lua script should share it: every complete line leaves in one
 * write, so a print from one connection never interleaves with another's in the same file or
 * pipe (LuaJ's print writes each argument, each tab and the newline apart). A partial line waits
 * for its newline, an explicit flush, or {@link #LIMIT} bytes (what a longer line is cut at, as C's
 * stdio cuts at its buffer). Both the kraken command and the worker put their stdout behind it.
 */
public final class LineAtomicStream extends OutputStream {
    /** The most a line may hold before it is written in pieces. */
    static final int LIMIT = 64 * 1024;

    private final OutputStream out;
    private byte[] buf = new byte[256];
    private int count;

    public LineAtomicStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (count + len > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, count + len)];
            System.arraycopy(buf, 0, bigger, 0, count);
            buf = bigger;
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
        int lastNewline = -1;
        for (int i = count - 1; i >= count - len; i--) {
            if (buf[i] == '\n') {
                lastNewline = i;
                break;
            }
        }
        if (lastNewline >= 0) {
            drain(lastNewline + 1);
        } else if (count >= LIMIT) {
            drain(count);
        }
    }

    /** Writes the first n bytes held, in one write, and keeps the rest. */
    private void drain(int n) throws IOException {
        out.write(buf, 0, n);
        out.flush();
        System.arraycopy(buf, n, buf, 0, count - n);
        count -= n;
        if (buf.length > LIMIT && count < LIMIT / 4) {
            byte[] smaller = new byte[Math.max(256, count)];
            System.arraycopy(buf, 0, smaller, 0, count);
            buf = smaller;
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        if (count > 0) {
            drain(count);
        }
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        out.close();
    }
}
