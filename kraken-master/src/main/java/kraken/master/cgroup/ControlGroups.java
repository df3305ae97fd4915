package kraken.master.cgroup;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import kraken.settings.Keys;
import kraken.settings.Settings;

/**
 * Where the master makes its workers' control groups (docs/configuration.md, kraken.limits.processes
 * and kraken.limits.memory_total), found once at its start. A parent group of Kraken's own
 * holds every worker's group; its pids.max, half of the host's pid_max, bounds all workers
 * together, so that no number of workers can take the process slots the rest of the machine
 * needs. The master itself stays outside it. Three kinds, the first that works:
 *
 * <ul>
 * <li>cgroup v2, where the master's own group offers the pids and memory controllers and holds
 *     no other process (systemd's {@code Delegate=yes}, as in the shipped unit): the master moves
 *     itself into a leaf "master" and makes its groups beside it (v2 lets only leaves hold
 *     processes once controllers are enabled below a group);</li>
 * <li>cgroup v1's pids, memory and freezer controllers (and cpuacct for accounting);</li>
 * <li>none: kraken.limits.processes is then each worker's RLIMIT_NPROC, a per-worker cap only
 *     with a uid range (kraken.user = {from, to}), and nothing caps the memory of a worker's
 *     programs.</li>
 * </ul>
 *
 * Only the supervisor thread uses it.
 */
public final class ControlGroups {
    /** How long a group whose killed processes are still dying waits before the next attempt, at most. */
    private static final long RETRY_MAX_NANOS = 1_000_000_000L;
    private static final long RETRY_FIRST_NANOS = 10_000_000L;

    private final String kind;
    private final String why;
    /** v1: parent directories in the order pids, memory, freezer, cpuacct (null when absent); v2: one. */
    private final Path pidsParent;
    private final Path memoryParent;
    private final Path freezerParent;
    private final Path cpuParent;
    private final long total;
    private final ArrayDeque<WorkerGroup> dying = new ArrayDeque<>();
    /**
     * Emptied groups kept for the next workers: a worker's start then costs no mkdir, no limits
     * (unless a HUP changed them) and no rmdir. At most EMPTY_MAX, the oldest reused first.
     */
    private final ArrayDeque<WorkerGroup> empty = new ArrayDeque<>();
    private static final int EMPTY_MAX = 32;
    private long created;
    private long placed;
    // What the groups cost the master's thread, in CPU (user and system): USR1's status line.
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private long placeCpu;
    private long ended;
    private long endCpu;
    private long connections;
    private long connectionCpu;

    private ControlGroups(String kind, String why, Path pids, Path memory, Path freezer, Path cpu, long total) {
        this.kind = kind;
        this.why = why;
        this.pidsParent = pids;
        this.memoryParent = memory;
        this.freezerParent = freezer;
        this.cpuParent = cpu;
        this.total = total;
    }

    /** No groups: why not, said in the start line. */
    public static ControlGroups none(String why) {
        return new ControlGroups("none", why, null, null, null, null, 0);
    }

    static ControlGroups v2(Path parent, long total) {
        return new ControlGroups("cgroup v2", null, parent, parent, parent, parent, total);
    }

    static ControlGroups v1(Path pids, Path memory, Path freezer, Path cpu, long total) {
        return new ControlGroups("cgroup v1", null, pids, memory, freezer, cpu, total);
    }

    /** Finds what this machine lets the master use, and makes Kraken's parent group there. */
    public static ControlGroups discover() {
        return Discovery.discover(ProcessHandle.current().pid());
    }

    public boolean enabled() {
        return pidsParent != null;
    }

    /** The master's start line: which kind, where, and the caps; or why none and what holds instead. */
    public String describe(Settings s) {
        if (!enabled()) {
            return "control groups: none (" + why + "); kraken.limits.processes (" + s.limitProcesses
                    + ") is each worker's RLIMIT_NPROC, a cap per worker only with a uid range, and"
                    + " kraken.limits.memory_total is not enforced";
        }
        boolean v2 = kind.equals("cgroup v2");
        return "control groups: " + kind + (v2 ? " at " + pidsParent : " (pids, memory, freezer"
                + (cpuParent != null ? ", cpuacct" : "") + ") at " + pidsParent + " and " + memoryParent)
                + "; per worker: kraken.limits.processes " + s.limitProcesses + ", kraken.limits.memory_total "
                + s.limitMemoryTotal + "; all workers together: " + total + " processes (half of pid_max)";
    }

    /**
     * Makes a group for the process pid with the caps of s and puts pid in it. On failure nothing
     * is left behind and pid is where it was.
     */
    public WorkerGroup place(int pid, Settings s) throws IOException {
        long cpu0 = CPU.getCurrentThreadCpuTime();
        try {
            return make(pid, s);
        } finally {
            placeCpu += CPU.getCurrentThreadCpuTime() - cpu0;
        }
    }

    private WorkerGroup make(int pid, Settings s) throws IOException {
        long processes = s.limitProcesses == null ? total : Math.min(s.limitProcesses, total);
        long bytes = Keys.bytes(s.limitMemoryTotal);
        WorkerGroup reused = empty.pollFirst();
        if (reused != null) {
            try {
                reused.reset();
                reused.limit(processes, s.limitMemoryTotal, bytes);
                reused.place(pid);
                placed++;
                return reused;
            } catch (IOException e) {
                reused.remove();
                // a new group below, as if none had been kept
            }
        }
        String name = "w" + (++created);
        boolean v2 = kind.equals("cgroup v2");
        List<Path> dirs = new ArrayList<>(4);
        Path pids = pidsParent.resolve(name);
        Path memory = memoryParent.resolve(name);
        Path freezer = freezerParent.resolve(name);
        Path cpu = cpuParent == null ? null : cpuParent.resolve(name);
        for (Path d : new Path[] {pids, memory, freezer, cpu}) {
            if (d != null && !dirs.contains(d)) {
                dirs.add(d);
            }
        }
        WorkerGroup g = new WorkerGroup(v2, dirs, pids, memory, freezer, cpu);
        try {
            for (Path d : dirs) {
                Files.createDirectory(d);
            }
            g.limit(processes, s.limitMemoryTotal, bytes);
            g.place(pid);
            placed++;
            return g;
        } catch (IOException e) {
            g.remove();
            throw new IOException("cannot put worker " + pid + " in a control group: " + e.getMessage(), e);
        }
    }

    /**
     * The group's worker has exited: everything left in it is killed, and the group removed, now
     * or, while killed processes are still dying, a little later.
     */
    public void end(WorkerGroup g, long now) {
        long cpu0 = CPU.getCurrentThreadCpuTime();
        // Nothing killed: the group was empty, and stays so (only a member can add a process).
        if (g.killAllBut(0) == 0 && g.reusable() && empty.size() < EMPTY_MAX) {
            empty.addLast(g);
        } else if (!g.remove()) {
            g.nextRemoveAt = now + RETRY_FIRST_NANOS;
            dying.addLast(g);
        }
        ended++;
        endCpu += CPU.getCurrentThreadCpuTime() - cpu0;
    }

    /** A connection begins in g: see {@link WorkerGroup#connectionBegins()}. */
    public void connectionBegins(WorkerGroup g) {
        long cpu0 = CPU.getCurrentThreadCpuTime();
        g.connectionBegins();
        connectionCpu += CPU.getCurrentThreadCpuTime() - cpu0;
    }

    /**
     * A connection in g ended: every process of g but keep (its live worker; 0 when the worker
     * died) is killed, and what the connection used is returned.
     */
    public WorkerGroup.Connection connectionEnds(WorkerGroup g, int keep) {
        long cpu0 = CPU.getCurrentThreadCpuTime();
        if (keep > 0) {
            g.killAllBut(keep);
        }
        WorkerGroup.Connection c = g.connectionEnds();
        connections++;
        connectionCpu += CPU.getCurrentThreadCpuTime() - cpu0;
        return c;
    }

    /** For USR1's status line: what the groups cost the master's thread, in CPU. */
    public String cost() {
        if (!enabled()) {
            return "control groups: none";
        }
        return "control groups: " + placed + " workers placed (" + created + " groups made, the others reused), "
                + micros(placeCpu, placed) + " us CPU each; " + ended + " ended, " + micros(endCpu, ended) + " us each; " + connections
                + " connections, " + micros(connectionCpu, connections) + " us each; " + dying.size()
                + " waiting for their processes to die";
    }

    private static String micros(long nanos, long n) {
        return n == 0 ? "-" : Long.toString(nanos / n / 1000);
    }

    /** Tries again to remove the groups whose processes were still dying. */
    public void removeDeadGroups(long now) {
        for (int i = dying.size(); i > 0; i--) {
            WorkerGroup g = dying.pollFirst();
            if (now < g.nextRemoveAt) {
                dying.addLast(g);
                continue;
            }
            g.killAllBut(0);
            if (!g.remove()) {
                g.removeAttempts++;
                g.nextRemoveAt = now + Math.min(RETRY_MAX_NANOS, RETRY_FIRST_NANOS << Math.min(g.removeAttempts, 10));
                dying.addLast(g);
            }
        }
    }

    /** When removeDeadGroups next has work; Long.MAX_VALUE when none. */
    public long nextRemovalAt() {
        long next = Long.MAX_VALUE;
        for (WorkerGroup g : dying) {
            next = Math.min(next, g.nextRemoveAt);
        }
        return next;
    }

    /** At the master's end: the groups left are emptied and removed, then Kraken's parent group. */
    public void close() {
        if (!enabled()) {
            return;
        }
        long deadline = System.nanoTime() + RETRY_MAX_NANOS;
        while (!dying.isEmpty() && System.nanoTime() < deadline) {
            removeDeadGroups(Long.MAX_VALUE);
            if (!dying.isEmpty()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (WorkerGroup g; (g = empty.pollFirst()) != null; ) {
            g.remove();
        }
        for (Path p : new Path[] {cpuParent, freezerParent, memoryParent, pidsParent}) {
            if (p != null) {
                CgroupFiles.remove(p);
            }
        }
    }

    static boolean alive(long pid) {
        return new File("/proc/" + pid).exists();
    }
}
