package kraken.lua51;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import org.luaj.vm2.Globals;

/** Where the io library's files come from: fopen's modes, and the state's standard streams. */
final class LuaFiles {
    private LuaFiles() {}

    /** fopen with a C mode string; the file or an IOException with C's text. */
    static LuaFile open(String name, String mode) throws IOException {
        char kind = mode.isEmpty() ? ' ' : mode.charAt(0);
        boolean update = mode.indexOf('+') > 0;
        if (kind != 'r' && kind != 'w' && kind != 'a') {
            throw new IOException("Invalid argument");
        }
        File file = new File(name);
        if (kind == 'r' && !update) {
            return LuaFile.ofFile(new RandomAccessFile(file, "r"), true, false, false);
        }
        if (kind == 'r' && !file.exists()) {
            throw new IOException("No such file or directory");
        }
        RandomAccessFile raf;
        try {
            raf = new RandomAccessFile(file, "rw");
        } catch (IOException e) {
            if (update) {
                throw e;
            }
            // A file we may write but not read: as C's fopen "w"/"a", without seeking.
            return LuaFile.ofStreams(null, new FileOutputStream(file, kind == 'a'), false, null);
        }
        if (kind == 'w' && file.isFile()) {
            raf.setLength(0);
        }
        return LuaFile.ofFile(raf, update || kind == 'r', true, kind == 'a');
    }

    /**
     * The state's standard input as it is when read: the command connects globals.STDIN after the
     * state is made (the REPL and the script share one buffered stream).
     */
    static final class StandardInput extends InputStream {
        private final Globals globals;

        StandardInput(Globals globals) {
            this.globals = globals;
        }

        private InputStream in() {
            return globals.STDIN != null ? globals.STDIN : System.in;
        }

        @Override
        public int read() throws IOException {
            return in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in().read(b, off, len);
        }
    }

    /** The state's standard output or error as it is when written to. */
    static final class StandardOutput extends OutputStream {
        private final Globals globals;
        private final boolean error;

        StandardOutput(Globals globals, boolean error) {
            this.globals = globals;
            this.error = error;
        }

        private PrintStream out() {
            return error ? globals.STDERR : globals.STDOUT;
        }

        @Override
        public void write(int b) {
            out().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out().write(b, off, len);
        }

        @Override
        public void flush() {
            out().flush();
        }
    }
}
