package kraken.lua51;

import java.io.IOException;

/** Commands run as C's system() and popen() run them: through /bin/sh -c, with the caller's standard streams. */
final class Shell {
    private Shell() {}

    static ProcessBuilder builder(String command) {
        return new ProcessBuilder("/bin/sh", "-c", command).inheritIO();
    }

    /** What closing a popen file does besides closing its pipe: waiting for the child, as pclose. */
    static LuaFile.Closer closer(Process p) {
        return new LuaFile.Closer() {
            @Override
            public void close() throws IOException {
                await(p);
            }

            @Override
            public boolean running() {
                return p.isAlive();
            }
        };
    }

    /** Waits for the process; its exit status (a signal as the JVM reports it, 128 + the signal). */
    static int await(Process p) throws IOException {
        // pclose and system wait whatever happens: an interrupt must not leave a zombie behind.
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return p.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
