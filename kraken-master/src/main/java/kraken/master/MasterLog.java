package kraken.master;

import java.io.PrintStream;

/**
 * The master's log: one line per event on standard error, "kraken: " then plain words and
 * key facts, so that it reads the same in a terminal and in journald (which adds time and pid).
 * Every message is escaped by {@link LogText} here, in the one place every line passes: much of
 * what is logged came from a worker or a client, and none of it may end the line.
 */
final class MasterLog {
    private static final PrintStream ERR = System.err;

    private MasterLog() {}

    static void info(String message) {
        String line = "kraken: " + LogText.escape(message);
        synchronized (ERR) {
            ERR.println(line);
            ERR.flush();
        }
    }

    static boolean debug() {
        return "debug".equals(System.getenv("KRAKEN_LOG"));
    }
}
