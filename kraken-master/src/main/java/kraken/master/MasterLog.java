package kraken.master;

import java.io.PrintStream;

/**
 * The master's log: one line per event on standard error, "kraken: " then plain words and
 * key facts, so that it reads the same in a terminal and in journald (which adds time and pid).
 */
final class MasterLog {
    private static final PrintStream ERR = System.err;

    private MasterLog() {}

    static void info(String message) {
        synchronized (ERR) {
            ERR.println("kraken: " + message);
            ERR.flush();
        }
    }

    static boolean debug() {
        return "debug".equals(System.getenv("KRAKEN_LOG"));
    }
}
