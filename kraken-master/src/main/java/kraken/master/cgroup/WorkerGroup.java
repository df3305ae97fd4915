package kraken.master.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import kraken.posix.Posix;
import kraken.posix.master.Processes;
import kraken.posix.PosixException;

/**
 * The control group of one worker: the worker and everything it starts, counted and capped
 * together (pids.max: kraken.limits.processes; the memory limit: kraken.limits.memory_total),
 * and ended together. In cgroup v1 it is one directory per controller (pids, memory, freezer,
 * cpuacct), in v2 one directory. Only the supervisor thread uses it.
 */
public final class WorkerGroup {
    /** What the group used and met, as the kernel counts it. */
    public record Usage(long cpuNanos, long peakBytes, long oomKills, long forksRefused) {}

    /**
     * What one connection used (cpuSeconds -1 when unknown), the starts refused at
     * kraken.limits.processes and the processes the kernel killed over kraken.limits.memory_total,
     * and those caps in words for its log line (null when it met none).
     */
    public record Connection(double cpuSeconds, long peakBytes, long forksRefused, long oomKills, String capNote) {}

    private static final int KILL_PASSES = 16;

    private final boolean v2;
    private final List<Path> dirs;
    private final Path pidsDir;
    /**
     * Opened at each read: cgroup v1 answers a read of an open cgroup.procs from a list it keeps
     * for a second after the last read, which would miss what was forked since.
     */
    private final Path procs;
    // Read at every connection: kept open (GroupFile), closed when the group is removed.
    private final GroupFile pidsEvents;
    private final GroupFile memoryPeak;
    private final GroupFile oomEvents;
    private final GroupFile cpuUsage;
    private final Path freezer;
    private final Path memoryDir;
    private long processes = -1;
    private String memoryTotal;
    /** At the connection's start, or the last connection's end. */
    private long cpuAtStart = -1;
    private boolean peakResets = true;
    private long oomSoFar;
    private long refusedSoFar;
    long removeAttempts;
    long nextRemoveAt;

    /** A group of these directories (made by {@link ControlGroups}), its caps not yet set: see {@link #limit}. */
    WorkerGroup(boolean v2, List<Path> dirs, Path pidsDir, Path memoryDir, Path freezerDir, Path cpuDir) {
        this.v2 = v2;
        this.dirs = dirs;
        this.pidsDir = pidsDir;
        this.procs = pidsDir.resolve("cgroup.procs");
        this.pidsEvents = new GroupFile(pidsDir.resolve("pids.events"), false);
        this.memoryPeak = new GroupFile(memoryDir.resolve(v2 ? "memory.peak" : "memory.max_usage_in_bytes"), true);
        this.oomEvents = new GroupFile(memoryDir.resolve(v2 ? "memory.events" : "memory.oom_control"), false);
        this.cpuUsage = cpuDir == null ? null : new GroupFile(cpuDir.resolve(v2 ? "cpu.stat" : "cpuacct.usage"), false);
        this.freezer = freezerDir.resolve(v2 ? "cgroup.freeze" : "freezer.state");
        this.memoryDir = memoryDir;
    }

    /**
     * Sets the group's caps: pids.max and the memory limit (with swap, where the kernel counts it,
     * so that swap is no way around the cap). Writes only what changed since the last call.
     */
    void limit(long processes, String memoryTotal, long memoryBytes) throws IOException {
        if (processes != this.processes) {
            CgroupFiles.write(pidsDir.resolve("pids.max"), Long.toString(processes));
            this.processes = processes;
        }
        if (!memoryTotal.equals(this.memoryTotal)) {
            String bytes = Long.toString(memoryBytes);
            if (v2) {
                CgroupFiles.write(memoryDir.resolve("memory.max"), bytes);
                writeIfPresent(memoryDir.resolve("memory.swap.max"), "0");
            } else {
                // memsw may never be below the memory limit: raised first when growing, last when shrinking.
                Path memsw = memoryDir.resolve("memory.memsw.limit_in_bytes");
                boolean growing = this.memoryTotal != null && memoryBytes > kraken.settings.Keys.bytes(this.memoryTotal);
                if (growing) {
                    writeIfPresent(memsw, bytes);
                }
                CgroupFiles.write(memoryDir.resolve("memory.limit_in_bytes"), bytes);
                if (!growing) {
                    writeIfPresent(memsw, bytes);
                }
            }
            this.memoryTotal = memoryTotal;
        }
    }

    private static void writeIfPresent(Path file, String value) throws IOException {
        if (java.nio.file.Files.exists(file)) {
            CgroupFiles.write(file, value);
        }
    }

    /**
     * The group is empty and will hold another worker: what the kernel counted so far (its cap
     * events) is the new worker's starting point, not its own.
     */
    void reset() {
        cpuAtStart = -1;
        Usage u = usage();
        oomSoFar = Math.max(0, u.oomKills());
        refusedSoFar = Math.max(0, u.forksRefused());
    }

    /** Puts the process in every directory of the group, pids first, so that each thread it starts counts. */
    void place(int pid) throws IOException {
        for (Path d : dirs) {
            CgroupFiles.write(d.resolve("cgroup.procs"), Integer.toString(pid));
        }
    }

    /** The processes in the group (thread group ids), none once it is gone. */
    public int[] processes() {
        return CgroupFiles.pids(procs);
    }

    /** The group's own directory under the pids (v1) or unified (v2) hierarchy. */
    public Path path() {
        return pidsDir;
    }

    /**
     * Kills every process of the group except keep (0: every one). The group is frozen first, so
     * that nothing in it can start a process between the list and the kill; what a freezing
     * process forked meanwhile is frozen too, and shows in the next list. Thawed at the end, the
     * killed processes die. Returns how many processes were killed; costs one read of the list
     * when nothing but keep is left, the usual case.
     */
    public int killAllBut(int keep) {
        int[] now = processes();
        if (now.length == 0 || (now.length == 1 && now[0] == keep)) {
            return 0;
        }
        if (v2 && keep == 0 && killAtOnce()) {
            return now.length;
        }
        boolean frozen = setFrozen(true);
        Set<Integer> killed = new HashSet<>();
        try {
            for (int pass = 0; pass < KILL_PASSES; pass++) {
                boolean more = false;
                for (int p : pass == 0 ? now : processes()) {
                    if (p != keep && killed.add(p)) {
                        more = true;
                        try {
                            Processes.kill(p, Posix.Constant.SIGKILL.value);
                        } catch (PosixException gone) {
                            // exited meanwhile
                        }
                    }
                }
                if (!more && pass > 0) {
                    break;
                }
            }
        } finally {
            if (frozen) {
                setFrozen(false);
            }
        }
        return killed.size();
    }

    // v2's cgroup.kill (Linux 5.14) kills the whole group at once, forks in flight included.
    private boolean killAtOnce() {
        try {
            CgroupFiles.write(pidsDir.resolve("cgroup.kill"), "1");
            return true;
        } catch (IOException older) {
            return false;
        }
    }

    private boolean setFrozen(boolean on) {
        try {
            CgroupFiles.write(freezer, v2 ? (on ? "1" : "0") : (on ? "FROZEN" : "THAWED"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What the kernel counted for the whole group so far. */
    public Usage usage() {
        return new Usage(cpuNanos(), CgroupFiles.parseLong(memoryPeak.read()),
                CgroupFiles.parseKey(oomEvents.read(), "oom_kill"), CgroupFiles.parseKey(pidsEvents.read(), "max"));
    }

    private long cpuNanos() {
        if (cpuUsage == null) {
            return -1;
        }
        if (!v2) {
            return CgroupFiles.parseLong(cpuUsage.read());
        }
        long usec = CgroupFiles.parseKey(cpuUsage.read(), "usage_usec");
        return usec < 0 ? -1 : usec * 1000;
    }

    /** A connection begins (its worker is ready for it): its CPU and peak memory are counted from now. */
    public void connectionBegins() {
        cpuAtStart = cpuNanos();
        try {
            // v1 resets the peak; v2 (Linux 6.12) resets it for reads through this descriptor.
            memoryPeak.write("0");
        } catch (IOException e) {
            peakResets = false; // the peak counts from the group's start: not to be reused
        }
    }

    /**
     * Whether another worker may have this group once it is empty: not when its peak memory
     * cannot be reset (cgroup v2 before Linux 6.12), or the next worker would report this one's.
     */
    boolean reusable() {
        return peakResets;
    }

    /** The connection ended: what it used since connectionBegins(), and the caps it met. */
    public Connection connectionEnds() {
        Usage u = usage();
        double cpu = cpuAtStart >= 0 && u.cpuNanos() >= cpuAtStart ? (u.cpuNanos() - cpuAtStart) / 1e9 : -1;
        StringBuilder note = new StringBuilder();
        if (u.forksRefused() > refusedSoFar) {
            note.append("reached kraken.limits.processes (").append(processes).append("): ")
                    .append(u.forksRefused() - refusedSoFar).append(" process or thread starts refused");
        }
        if (u.oomKills() > oomSoFar) {
            note.append(note.length() > 0 ? "; " : "").append("over kraken.limits.memory_total (").append(memoryTotal)
                    .append("): the kernel killed ").append(u.oomKills() - oomSoFar).append(" process")
                    .append(u.oomKills() - oomSoFar == 1 ? "" : "es");
        }
        long refused = Math.max(0, u.forksRefused() - refusedSoFar);
        long killed = Math.max(0, u.oomKills() - oomSoFar);
        oomSoFar = Math.max(oomSoFar, u.oomKills());
        refusedSoFar = Math.max(refusedSoFar, u.forksRefused());
        return new Connection(cpu, u.peakBytes(), refused, killed, note.length() == 0 ? null : note.toString());
    }

    /** Removes the group's directories; false while a killed process is still dying in one. */
    boolean remove() {
        for (GroupFile f : new GroupFile[] {pidsEvents, memoryPeak, oomEvents, cpuUsage}) {
            if (f != null) {
                f.close();
            }
        }
        boolean all = true;
        // The pids directory last: its list is how the master knows whether anything is left.
        for (int i = dirs.size() - 1; i >= 0; i--) {
            all &= CgroupFiles.remove(dirs.get(i));
        }
        return all;
    }

    @Override
    public String toString() {
        return path() + " (processes " + processes + ", memory " + memoryTotal + ")";
    }
}
