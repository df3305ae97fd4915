package kraken.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Standard output that ends the program when its reader has gone, as SIGPIPE ends lua5.1: the
 * JVM ignores SIGPIPE and a PrintStream swallows write errors, so without this
 * `kraken -e 'while true do print(1) end' | head -1` would never stop.
 */
final class BrokenPipeExit extends FilterOutputStream {
    /** What a shell shows for a process killed by SIGPIPE (128 + 13). */
    static final int STATUS = 141;

    BrokenPipeExit(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        guard(() -> out.write(b));
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        guard(() -> out.write(b, off, len));
    }

    @Override
    public void flush() throws IOException {
        guard(out::flush);
    }

    private interface Io {
        void run() throws IOException;
    }

    private static void guard(Io io) throws IOException {
        try {
            io.run();
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("Broken pipe")) {
                Runtime.getRuntime().halt(STATUS);
            }
            throw e;
        }
    }
}
