package kraken.master.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kraken.settings.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup v2 file protocol (docs/configuration.md, "Control groups"), against a fake v2 tree
 * in a temporary directory: this machine's unified hierarchy offers no controllers (they are all
 * bound to v1), so the kernel's pids and memory files cannot be real here. What the fake tree
 * checks is what the master reads and writes, in the formats of the kernel's
 * Documentation/admin-guide/cgroup-v2.rst; what it cannot check is the kernel's side (the caps
 * enforced, cgroup.kill and cgroup.freeze acting): ControlGroupsV2KernelTest runs the part the
 * unified hierarchy here allows for real.
 *
 * Pids in the fake discovery trees are numbers above this machine's pid_max, with a fake
 * /proc/PID/stat each; nothing kills them. The fake groups that reach a kill path list only
 * children this test started itself ({@code sleep 60}), killed after each test.
 */
@Tag("unit")
class ControlGroupsV2Test {
    private static final long MASTER = 4_000_001;
    private static final int CHILD = 4_000_002;
    private static final int STRANGER = 4_000_003;
    private static final int GRANDCHILD = 4_000_004;

    @TempDir
    Path dir;
    /** The children this test started (the only pids a fake group that reaches a kill lists): killed after each test. */
    private final List<Process> children = new ArrayList<>();

    private Process sleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "60").start();
        children.add(p);
        return p;
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A fake /proc: self/mountinfo with the v2 mount (and mounts), self/cgroup, pid_max, PID/stat. */
    private Path proc(String mountRoot, String cgroupLines, String extraMounts) throws IOException {
        Path proc = dir.resolve("proc");
        Files.createDirectories(proc.resolve("self"));
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("self/mountinfo"),
                "25 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
                        + "41 31 0:38 " + mountRoot + " " + dir.resolve("cg") + " rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
                        + extraMounts);
        Files.writeString(proc.resolve("self/cgroup"), cgroupLines);
        Files.writeString(proc.resolve("sys/kernel/pid_max"), "32768\n");
        stat(proc, CHILD, MASTER);
        stat(proc, STRANGER, 1);
        return proc;
    }

    private static void stat(Path proc, long pid, long ppid) throws IOException {
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(proc.resolve(pid + "/stat"), pid + " (java) S " + ppid + " " + pid + " " + pid + " 0 -1 4194560 0 0\n");
    }

    /** The master's own v2 group as the kernel shows it: offered controllers, none enabled, its processes. */
    private Path group(String path, String controllers, long... pids) throws IOException {
        Path g = dir.resolve("cg").resolve(path);
        Files.createDirectories(g);
        Files.writeString(g.resolve("cgroup.controllers"), controllers);
        Files.writeString(g.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(g.resolve("cgroup.freeze"), "0\n");
        Files.writeString(g.resolve("cgroup.events"), "populated 1\nfrozen 0\n");
        StringBuilder procs = new StringBuilder();
        for (long p : pids) {
            procs.append(p).append('\n');
        }
        Files.writeString(g.resolve("cgroup.procs"), procs.toString());
        return g;
    }

    @Test
    void discoveryChoosesV2WhereTheGroupOffersPidsAndMemoryAndHoldsOnlyTheMaster() throws Exception {
        Path proc = proc("/", "0::/system.slice/kraken.service\n", "");
        Path own = group("system.slice/kraken.service", "cpuset cpu io memory pids\n", MASTER, CHILD);
        // A group of a master killed before it could remove it: removed, as it is empty.
        Files.createDirectories(own.resolve("kraken-4194303/w1"));

        ControlGroups g = Discovery.discover(MASTER, proc);

        assertTrue(g.enabled(), g.describe(new Settings()));
        Path parent = own.resolve("kraken-" + MASTER);
        assertTrue(g.describe(new Settings()).startsWith("control groups: cgroup v2 at " + parent + "; "),
                g.describe(new Settings()));
        // The master and its child moved to the leaf "master", one write each, the master first
        // (a plain file keeps the last write).
        assertEquals(Long.toString(CHILD), Files.readString(own.resolve("master/cgroup.procs")));
        // Then, with no process left in its own group, the controllers enabled for its children.
        assertEquals("+pids +memory", Files.readString(own.resolve("cgroup.subtree_control")));
        assertEquals("16384", Files.readString(parent.resolve("pids.max")), "half of pid_max for all workers");
        assertEquals("+pids +memory", Files.readString(parent.resolve("cgroup.subtree_control")));
        assertFalse(Files.exists(own.resolve("kraken-4194303")), "a gone master's empty group is removed");
    }

    @Test
    void discoveryRefusesV2WithoutThePidsAndMemoryControllers() throws Exception {
        Path proc = proc("/", "0::/user.slice/session-1.scope\n", "");
        Path own = group("user.slice/session-1.scope", "\n", MASTER);
        assertRefused(proc, true, "control groups: none (cgroup v2 at " + own
                + " offers the master's group no controllers, not pids and memory (under systemd: Delegate=yes); "
                + "no cgroup v1 pids controller mounted for the master)");

        Files.writeString(own.resolve("cgroup.controllers"), "cpu pids\n");
        assertRefused(proc, false, "offers the master's group only cpu pids, not pids and memory");
        assertUntouched(own);
    }

    @Test
    void discoveryRefusesV2WhenTheGroupHoldsAnotherProcess() throws Exception {
        Path proc = proc("/", "0::/user.slice/session-1.scope\n", "");
        Path own = group("user.slice/session-1.scope", "memory pids\n", MASTER, CHILD, STRANGER);
        assertRefused(proc, true, "control groups: none (the master's cgroup v2 group " + own
                + " holds processes other than the master's (pid " + STRANGER + ")");
        assertUntouched(own);
        // Nor is a stranger's child.
        stat(proc, GRANDCHILD, STRANGER);
        Files.writeString(own.resolve("cgroup.procs"), MASTER + "\n" + GRANDCHILD + "\n");
        assertRefused(proc, true, "control groups: none (the master's cgroup v2 group " + own
                + " holds processes other than the master's (pid " + GRANDCHILD + ")");
        assertUntouched(own);
    }

    @Test
    void theMastersDescendantsMoveWithItAndOneThatEndedIsPassedOver() throws Exception {
        // The script's process (the master's child) and a program its top level left running.
        Path proc = proc("/", "0::/system.slice/kraken.service\n", "");
        stat(proc, GRANDCHILD, CHILD);
        Path own = group("system.slice/kraken.service", "memory pids\n", MASTER, CHILD, GRANDCHILD, 4_000_005);
        ControlGroups g = Discovery.discover(MASTER, proc);
        assertTrue(g.enabled(), g.describe(new Settings()));
        // The last one moved: the grandchild (4000005 has no /proc entry: it ended since the list).
        assertEquals(Integer.toString(GRANDCHILD), Files.readString(own.resolve("master/cgroup.procs")));
        assertEquals("+pids +memory", Files.readString(own.resolve("cgroup.subtree_control")));
    }

    @Test
    void discoveryRefusesAGroupOutsideTheMount() throws Exception {
        // Outside the mount's root (a container's mount of its own subtree).
        Path proc = proc("/kubepods/pod1", "0::/system.slice/kraken.service\n", "");
        assertRefused(proc, true, "control groups: none (the master's cgroup v2 group /system.slice/kraken.service"
                + " is outside the mount at " + dir.resolve("cg") + " (/kubepods/pod1); ");

        // Outside the reader's cgroup namespace: the kernel shows it with "..". Resolved under the
        // mount, it would name the directory beside it: here a group that offers the controllers.
        proc = proc("/", "0::/../beside\n", "");
        Files.createDirectories(dir.resolve("cg"));
        Path beside = dir.resolve("beside");
        Files.createDirectories(beside);
        Files.writeString(beside.resolve("cgroup.controllers"), "memory pids\n");
        Files.writeString(beside.resolve("cgroup.procs"), MASTER + "\n");
        assertRefused(proc, true, "control groups: none (the master's cgroup v2 group /../beside is outside the mount");
        assertFalse(Files.exists(beside.resolve("kraken-" + MASTER)));
        assertFalse(Files.exists(beside.resolve("master")));
        assertNull(Discovery.within(dir.resolve("cg"), "/", "/a/../../b"));
        assertEquals(dir.resolve("cg/a/b"), Discovery.within(dir.resolve("cg"), "/", "/a/b"));
        assertEquals(dir.resolve("cg/b"), Discovery.within(dir.resolve("cg"), "/a", "/a/b"));
    }

    @Test
    void v1GroupsOutsideTheNamespaceAreNotResolvedBesideTheirMount() throws Exception {
        // The same ".." in a v1 line: /sys/fs/cgroup/pids/../memory is the memory hierarchy.
        String v1 = "";
        for (String c : new String[] {"pids", "memory", "freezer"}) {
            Files.createDirectories(dir.resolve("v1/" + c));
            v1 += "5" + c.length() + " 31 0:3" + c.length() + " / " + dir.resolve("v1/" + c)
                    + " rw,relatime - cgroup cgroup rw," + c + "\n";
        }
        Path proc = proc("/", "3:pids:/../memory\n2:memory:/\n1:freezer:/\n0::/\n", v1);
        Files.createDirectories(dir.resolve("cg"));
        Files.writeString(dir.resolve("cg/cgroup.controllers"), "\n");
        assertRefused(proc, false, "no cgroup v1 pids controller mounted for the master");
        assertFalse(Files.exists(dir.resolve("v1/memory/kraken-" + MASTER + "/pids.max")), "no pids.max in the memory hierarchy");
    }

    /** Discovery gives no groups, and its start line says why: starting with (or containing) reason. */
    private static void assertRefused(Path proc, boolean atStart, String reason) {
        ControlGroups g = Discovery.discover(MASTER, proc);
        String line = g.describe(new Settings());
        assertFalse(g.enabled(), line);
        assertTrue(atStart ? line.startsWith(reason) : line.contains(reason), line);
    }

    private void assertUntouched(Path own) throws IOException {
        assertFalse(Files.exists(own.resolve("master")), "the master is not moved");
        assertEquals("\n", Files.readString(own.resolve("cgroup.subtree_control")));
        assertFalse(Files.exists(own.resolve("kraken-" + MASTER)));
    }

    @Test
    void aWorkerIsPlacedWithV2sCapsInV2sFiles() throws Exception {
        Path parent = dir.resolve("kraken-1");
        Files.createDirectory(parent);
        Process child = sleeper();
        int pid = (int) child.pid();
        ControlGroups groups = ControlGroups.v2(parent, 16384);
        WorkerGroup g = groups.place(pid, new Settings());
        Path w1 = parent.resolve("w1");
        assertEquals(w1, g.path());
        assertEquals("2048", Files.readString(w1.resolve("pids.max")));
        assertEquals(Long.toString(512L << 20), Files.readString(w1.resolve("memory.max")));
        assertFalse(Files.exists(w1.resolve("memory.swap.max")), "written only where the kernel counts swap");
        assertEquals(Integer.toString(pid), Files.readString(w1.resolve("cgroup.procs")));
        for (String v1 : new String[] {"memory.limit_in_bytes", "freezer.state", "tasks"}) {
            assertFalse(Files.exists(w1.resolve(v1)), v1);
        }
        // The per-worker cap never exceeds the total of all workers.
        Settings many = new Settings();
        many.limitProcesses = 100_000L;
        assertEquals("16384", Files.readString(groups.place(pid, many).path().resolve("pids.max")));

        // Worker gone: v2 kills what is left at once with cgroup.kill (the fake file takes the
        // write; that the kernel then kills is ControlGroupsV2KernelTest's).
        groups.end(g, System.nanoTime());
        assertEquals("1", Files.readString(w1.resolve("cgroup.kill")));
        assertNotEquals(Long.MAX_VALUE, groups.nextRemovalAt(), "removed once its processes are dead");
    }

    @Test
    void capsAreWrittenOnlyWhenTheyChangeAndSwapIsCapped() throws Exception {
        Path w = Files.createDirectory(dir.resolve("w1"));
        Files.writeString(w.resolve("memory.swap.max"), "max\n");
        WorkerGroup g = new WorkerGroup(true, List.of(w), w, w, w, w);
        g.limit(100, "64m", 64L << 20);
        assertEquals("100", Files.readString(w.resolve("pids.max")));
        assertEquals("67108864", Files.readString(w.resolve("memory.max")));
        assertEquals("0", Files.readString(w.resolve("memory.swap.max")), "swap is no way around memory.max");
        Files.delete(w.resolve("pids.max"));
        Files.delete(w.resolve("memory.max"));
        g.limit(100, "64m", 64L << 20);
        assertFalse(Files.exists(w.resolve("pids.max")));
        assertFalse(Files.exists(w.resolve("memory.max")));
        g.limit(200, "128m", 128L << 20);
        assertEquals("200", Files.readString(w.resolve("pids.max")));
        assertEquals("134217728", Files.readString(w.resolve("memory.max")));
    }

    @Test
    void aConnectionsUseIsReadInV2sFormats() throws Exception {
        Path w = Files.createDirectory(dir.resolve("w1"));
        Files.writeString(w.resolve("cgroup.procs"), "");
        Files.writeString(w.resolve("cpu.stat"), "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n"
                + "nr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n");
        Files.writeString(w.resolve("memory.peak"), "9\n");
        Files.writeString(w.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        Files.writeString(w.resolve("pids.events"), "max 0\n");
        WorkerGroup g = new WorkerGroup(true, List.of(w), w, w, w, w);
        g.limit(100, "64m", 64L << 20);
        ControlGroups groups = ControlGroups.v2(dir, 16384);

        groups.connectionBegins(g);
        // memory.peak reset by a write through the descriptor the master reads it by (Linux 6.12).
        assertEquals("0\n", Files.readString(w.resolve("memory.peak")));
        assertTrue(g.reusable());
        // What the kernel counts meanwhile: 2.5 s of CPU, a peak, two OOM kills (and a group OOM
        // kill, which is not a process), five refused forks.
        Files.writeString(w.resolve("cpu.stat"), "usage_usec 4000000\nuser_usec 3000000\nsystem_usec 1000000\n");
        Files.writeString(w.resolve("memory.peak"), "123457536\n");
        Files.writeString(w.resolve("memory.events"), "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\noom_group_kill 7\n");
        Files.writeString(w.resolve("pids.events"), "max 5\n");
        WorkerGroup.Connection c = groups.connectionEnds(g, 0);
        assertEquals(2.5, c.cpuSeconds(), 1e-9);
        assertEquals(123457536L, c.peakBytes());
        assertEquals(5, c.forksRefused());
        assertEquals(2, c.oomKills());
        assertEquals("reached kraken.limits.processes (100): 5 process or thread starts refused; over"
                + " kraken.limits.memory_total (64m): the kernel killed 2 processes", c.capNote());

        // The next connection met no cap: the counters are its baseline.
        groups.connectionBegins(g);
        Files.writeString(w.resolve("cpu.stat"), "usage_usec 4250000\nuser_usec 3000000\nsystem_usec 1250000\n");
        c = groups.connectionEnds(g, 0);
        assertEquals(0.25, c.cpuSeconds(), 1e-9);
        assertEquals(0, c.forksRefused());
        assertEquals(0, c.oomKills());
        assertNull(c.capNote());
    }

    @Test
    void aPeakThatCannotBeResetKeepsTheGroupFromReuse() throws Exception {
        // Before Linux 6.12, memory.peak is read-only: here a directory, which no write opens.
        Path w = Files.createDirectory(dir.resolve("w1"));
        Files.createDirectory(w.resolve("memory.peak"));
        WorkerGroup g = new WorkerGroup(true, List.of(w), w, w, w, w);
        g.connectionBegins();
        assertFalse(g.reusable());
    }

    /** A fake group w whose cgroup.procs lists the test's own children ps, not frozen. */
    private static WorkerGroup listing(Path w, Process... ps) throws IOException {
        Files.createDirectory(w);
        StringBuilder procs = new StringBuilder();
        for (Process p : ps) {
            procs.append(p.pid()).append('\n');
        }
        Files.writeString(w.resolve("cgroup.procs"), procs.toString());
        Files.writeString(w.resolve("cgroup.freeze"), "0\n");
        return new WorkerGroup(true, List.of(w), w, w, w, w);
    }

    @Test
    void aConnectionsEndKillsWhatTheGroupListsButTheWorker() throws Exception {
        Process worker = sleeper();
        Process left = sleeper();
        Path w = dir.resolve("w1");
        WorkerGroup g = listing(w, worker, left);
        ControlGroups.v2(dir, 16384).connectionEnds(g, (int) worker.pid());
        assertTrue(left.waitFor(10, TimeUnit.SECONDS), "what the connection left is killed");
        assertEquals(128 + 9, left.exitValue(), "SIGKILL");
        assertTrue(worker.isAlive(), "the worker is kept");
        assertEquals("0", Files.readString(w.resolve("cgroup.freeze")), "frozen while killed, thawed after");
        assertFalse(Files.exists(w.resolve("cgroup.kill")), "cgroup.kill would kill the worker too");
    }

    @Test
    void withoutCgroupKillAGroupsEndKillsEachProcess() throws Exception {
        // Before Linux 5.14 there is no cgroup.kill, and the kernel refuses to create it: here a
        // directory, which no write opens.
        Process a = sleeper();
        Process b = sleeper();
        Path w = dir.resolve("w1");
        WorkerGroup g = listing(w, a, b);
        Files.createDirectory(w.resolve("cgroup.kill"));
        assertEquals(2, g.killAllBut(0));
        assertTrue(a.waitFor(10, TimeUnit.SECONDS));
        assertTrue(b.waitFor(10, TimeUnit.SECONDS));
        assertEquals("0", Files.readString(w.resolve("cgroup.freeze")));
    }
}
