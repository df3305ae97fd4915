package kraken.master;

import kraken.master.cgroup.ControlGroups;
import kraken.master.cgroup.WorkerGroup;
import kraken.master.status.Metrics;

/**
 * What the supervisor does with a worker's control group when a connection ends: what the
 * connection started is killed (docs/configuration.md: what a connection starts ends with it),
 * what it used goes to the metrics, and the caps it met go to its log line.
 */
final class GroupAccounting {
    private GroupAccounting() {}

    /**
     * The connection of w ended and w is alive (it sent DONE): every other process of its group
     * is killed before it may take another connection. Returns the caps the connection met, as
     * text for its log line ("" when none).
     */
    static String connectionEnded(ControlGroups groups, Worker w, Metrics metrics) {
        return w.group == null ? "" : account(groups.connectionEnds(w.group, w.pid), metrics);
    }

    /** The worker died while serving: its connection's use and caps (its group is ended after). */
    static String workerDied(ControlGroups groups, Worker w, Metrics metrics) {
        return w.group == null ? "" : account(groups.connectionEnds(w.group, 0), metrics);
    }

    private static String account(WorkerGroup.Connection c, Metrics metrics) {
        metrics.connectionUsage(c.cpuSeconds(), c.peakBytes());
        if (c.forksRefused() > 0) {
            metrics.reachedCap("processes");
        }
        if (c.oomKills() > 0) {
            metrics.reachedCap("memory_total");
        }
        return c.capNote() == null ? "" : " (" + c.capNote() + ")";
    }
}
