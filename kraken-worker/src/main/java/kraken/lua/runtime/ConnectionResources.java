package kraken.lua.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * What the connection being served opened: sockets (kraken.socket, accept) and files (io.open,
 * io.lines, io.popen, io.tmpfile). docs/hostile-input.md: in "state" isolation each of them is closed
 * before the next connection, so that nothing one connection opened reaches the next, and a
 * connection that fills the descriptor table does not break the one after it.
 *
 * <p>A worker serves one connection at a time, on its own thread and the coroutine threads the
 * connection resumes one at a time, so one process-wide record serves; outside a connection (the
 * master, a state being prepared) nothing is recorded.
 */
public final class ConnectionResources {
    private ConnectionResources() {}

    private static final Object LOCK = new Object();
    private static List<Runnable> open;

    /** A connection starts: record from now on. */
    public static void begin() {
        synchronized (LOCK) {
            open = new ArrayList<>();
        }
    }

    /** Records how to close something the connection opened (a no-op outside a connection). */
    public static void track(Runnable close) {
        synchronized (LOCK) {
            if (open != null) {
                open.add(close);
            }
        }
    }

    /** The connection is over: closes everything it opened and still holds; returns how many were tracked. */
    public static int closeAll() {
        List<Runnable> all;
        synchronized (LOCK) {
            all = open;
            open = null;
        }
        if (all == null) {
            return 0;
        }
        for (Runnable r : all) {
            r.run();
        }
        return all.size();
    }
}
