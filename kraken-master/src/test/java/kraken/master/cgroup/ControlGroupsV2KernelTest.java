package kraken.master.cgroup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The part of the master's cgroup v2 code the kernel can run here: a group made by the test in
 * the cgroup2 hierarchy (on this machine /sys/fs/cgroup/unified, which offers no controllers,
 * since they are all bound to v1), with the kernel's own cgroup.procs, cgroup.kill,
 * cgroup.freeze, cgroup.events and cpu.stat. There are no pids.max, memory.max, memory.peak or
 * memory.events without the controllers, so the caps (ControlGroups.place) and their enforcement
 * are not run here: ControlGroupsV2Test checks what the master writes and reads in a fake tree.
 *
 * Only the test's own children are ever in the group; the group is removed in a finally, after
 * cgroup.kill ends whatever is still in it.
 */
@Tag("integration")
class ControlGroupsV2KernelTest {
    private Path group;
    private Process child;
    /** The test's group, as the master's v2 code sees a worker's, and the groups it is ended by. */
    private WorkerGroup g;
    private ControlGroups groups;

    @BeforeEach
    void makeGroup() throws IOException {
        Path mount = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
                mount = Path.of(halves[0].split(" ")[4]);
                break;
            }
        }
        assertNotNull(mount, "no cgroup2 hierarchy mounted (/proc/self/mountinfo)");
        group = mount.resolve("kraken-test-" + ProcessHandle.current().pid());
        Files.createDirectory(group);
        g = new WorkerGroup(true, List.of(group), group, group, group, group);
        groups = ControlGroups.v2(mount, 1);
    }

    @AfterEach
    void removeGroup() throws Exception {
        try {
            if (Files.exists(group)) {
                CgroupFiles.write(group.resolve("cgroup.kill"), "1");
                poll(() -> CgroupFiles.remove(group), "the test's group to be removable");
            }
        } finally {
            if (child != null) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A shell moved into the group before it starts anything, then told to go on: all it starts is in the group. */
    private int startInGroup(String script, int processes) throws Exception {
        child = new ProcessBuilder("sh", "-c", "read go; " + script).redirectErrorStream(true).start();
        int pid = (int) child.pid();
        g.place(pid);
        assertArrayEquals(new int[] {pid}, g.processes());
        OutputStream in = child.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
        poll(() -> g.processes().length >= processes, processes + " processes in the group");
        assertEquals("populated 1", CgroupFiles.read(group.resolve("cgroup.events")).split("\n")[0]);
        return pid;
    }

    @Test
    void aGroupsEndKillsEverythingInItAndRemovesIt() throws Exception {
        int sh = startInGroup("sleep 60 & sleep 60", 2);
        int[] inside = g.processes();
        assertTrue(Arrays.stream(inside).anyMatch(p -> p == sh), Arrays.toString(inside));

        // The worker is gone: cgroup.kill ends the rest, the group is removed once they are dead.
        endGroup();
        assertFalse(Files.exists(group), "the group directory is gone");
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(128 + 9, child.exitValue(), "killed by SIGKILL");
        for (int p : inside) {
            assertFalse(running(p), "pid " + p + " still runs");
        }
    }

    @Test
    void aConnectionsEndKillsAllButTheWorkerWithTheGroupFrozen() throws Exception {
        // The shell stands for the worker: it waits on its input while its two programs run.
        int sh = startInGroup("sleep 60 & sleep 60 & read stop", 3);
        int[] inside = g.processes();
        groups.connectionBegins(g);

        WorkerGroup.Connection c = groups.connectionEnds(g, sh);

        poll(() -> g.processes().length == 1, "only the worker left in the group");
        assertArrayEquals(new int[] {sh}, g.processes());
        assertTrue(child.isAlive(), "the worker is kept");
        for (int p : inside) {
            if (p != sh) {
                poll(() -> !running(p), "pid " + p + " killed");
            }
        }
        // Thawed after the kill: the worker runs on.
        assertEquals("0", CgroupFiles.read(group.resolve("cgroup.freeze")).trim());
        poll(() -> CgroupFiles.readKey(group.resolve("cgroup.events"), "frozen") == 0, "the group thawed");
        // cpu.stat is the kernel's, with or without the cpu controller: the connection's CPU is known.
        assertTrue(c.cpuSeconds() >= 0, "cpu seconds " + c.cpuSeconds());
        assertFalse(g.reusable(), "no memory.peak to reset without the memory controller");

        endGroup();
        assertFalse(Files.exists(group));
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(128 + 9, child.exitValue());
    }

    /** The group's worker has exited: as the supervisor does, end it and retry its removal until done. */
    private void endGroup() throws InterruptedException {
        groups.end(g, System.nanoTime());
        poll(() -> {
            groups.removeDeadGroups(System.nanoTime());
            return groups.nextRemovalAt() == Long.MAX_VALUE;
        }, "the group removed");
    }

    /** Whether pid runs (exists and is not a zombie): a killed process reparented away may stay a zombie a while. */
    private static boolean running(int pid) {
        try {
            String stat = CgroupFiles.read(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    private static void poll(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited 10 s for " + what);
            }
            Thread.sleep(10);
        }
    }
}
