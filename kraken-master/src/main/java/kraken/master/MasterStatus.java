package kraken.master;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import kraken.posix.Sockets;
import kraken.settings.Settings;
import kraken.master.status.Metrics;
import kraken.master.status.StatusBoard;
import kraken.master.status.StatusSnapshot;
import kraken.posix.Fd;
import kraken.posix.PosixException;

/**
 * The supervisor's side of status and metrics (docs/operations.md): the counters it keeps, and the
 * snapshot of the pool it builds, on its own thread, when the status server asked for one.
 */
final class MasterStatus {
    final Metrics metrics = new Metrics();
    /** Null when kraken.status is not set: nothing ever asks for a snapshot. */
    private final StatusBoard board;
    private final long startMillis = System.currentTimeMillis();
    private final long pid = ProcessHandle.current().pid();

    MasterStatus(StatusBoard board) {
        this.board = board;
    }

    /** On the supervisor thread, when its events say a snapshot was asked for. */
    void publishIfAsked(Collection<Worker> workers, Listeners listeners, Settings s, int generation, boolean stopping) {
        if (board == null || !board.takeRequest()) {
            return;
        }
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (Worker.State st : Worker.State.values()) {
            byState.put(label(st), 0);
        }
        for (Worker w : workers) {
            byState.merge(label(w.state), 1, Integer::sum);
        }
        List<StatusSnapshot.ListenerQueue> queues = new java.util.ArrayList<>();
        for (int i = 0; i < listeners.sockets().size(); i++) {
            Fd fd = listeners.sockets().get(i);
            int[] q = {-1, -1};
            if (fd.isOpen()) {
                try {
                    q = Sockets.listenQueue(fd.get());
                } catch (PosixException notTcp) {
                    // Not a listening TCP socket: the kernel does not report its queue this way.
                }
            }
            queues.add(new StatusSnapshot.ListenerQueue(listeners.addresses().get(i).toString(), q[0], q[1]));
        }
        board.publish(new StatusSnapshot(System.nanoTime(), System.currentTimeMillis(), startMillis, pid,
                s.isolation, s.workersMax, s.workersSpare, generation, stopping,
                java.util.Collections.unmodifiableMap(byState), List.copyOf(queues),
                metrics.counts()));
    }

    /**
     * php-fpm's "max children reached": the cap stops the pool from starting the worker it needs.
     * That is: every worker the cap allows is alive, none is ready and none is starting, so new
     * connections wait in the backlog. Cheap unless the pool is at its cap.
     */
    /**
     * Whether the cap keeps the pool from starting a worker it needs: nothing ready, nothing on its
     * way to ready (starting or preparing a state), and as many workers as kraken.workers.max.
     */
    void watchCap(int workers, boolean noneReady, boolean noneComing, int max, boolean stopping) {
        metrics.poolAtCap(!stopping && noneReady && noneComing && workers >= max);
    }

    private static String label(Worker.State st) {
        return st.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The outcome of a connection as the supervisor logs it: "ok", the application's error, the
     * reason the master killed the worker, or "worker died: ...".
     */
    static Metrics.Outcome outcomeOf(String outcome, String killedBecause) {
        if ("ok".equals(outcome)) {
            return Metrics.Outcome.OK;
        }
        if (killedBecause != null && killedBecause.equals(outcome)) {
            return Metrics.Outcome.KILLED;
        }
        if (outcome.startsWith("worker died: ")) {
            return Metrics.Outcome.DIED;
        }
        return Metrics.Outcome.ERROR;
    }
}
