package kraken.master.status;

import java.util.List;
import java.util.Map;

/**
 * The master's state at one moment, built by the supervisor thread (which alone owns the pool)
 * and read by the status thread: immutable, so the two never share anything mutable.
 *
 * @param takenNanos System.nanoTime() when it was taken, to judge its age
 * @param takenMillis the same moment, wall clock
 * @param startMillis when the master began serving, wall clock
 * @param workers worker processes by state ("starting", "ready", "busy", ...), every state present
 * @param listeners every listening socket with its accept queue
 */
public record StatusSnapshot(long takenNanos, long takenMillis, long startMillis, long pid, String isolation,
                             int workersMax, int workersSpare, int generation, boolean stopping,
                             Map<String, Integer> workers, List<ListenerQueue> listeners, Metrics.Counts counts) {

    /**
     * One listener's backlog.
     *
     * @param name as registered: "*:8001", "[::1]:8002"
     * @param waiting connections the kernel completed that wait for accept(2); -1 when the kernel
     *     does not tell (a socket that is not TCP)
     * @param limit the most that may wait (the backlog); -1 when unknown
     */
    public record ListenerQueue(String name, int waiting, int limit) {}

    public int workers(String state) {
        return workers.getOrDefault(state, 0);
    }

    public int totalWorkers() {
        int n = 0;
        for (int v : workers.values()) {
            n += v;
        }
        return n;
    }
}
