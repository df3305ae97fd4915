package kraken.master.cgroup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the control groups that need no kernel: sizes, the files' formats, the start line. */
@Tag("unit")
class ControlGroupsTest {
    @TempDir
    Path dir;

    @Test
    void sizesAreBytes() {
        assertEquals(512L << 20, kraken.settings.Keys.bytes("512m"));
        assertEquals(2L << 30, kraken.settings.Keys.bytes("2G"));
        assertEquals(64L << 10, kraken.settings.Keys.bytes("64k"));
        assertEquals(123456789L, kraken.settings.Keys.bytes("123456789"));
        assertEquals(-1, kraken.settings.Keys.bytes("2t"));
        assertEquals(-1, kraken.settings.Keys.bytes("1025g"));
    }

    @Test
    void cgroupProcsIsReadAsPids() throws Exception {
        Path procs = dir.resolve("cgroup.procs");
        Files.writeString(procs, "12\n345\n6789\n");
        assertArrayEquals(new int[] {12, 345, 6789}, CgroupFiles.pids(procs));
        Files.writeString(procs, "");
        assertArrayEquals(new int[0], CgroupFiles.pids(procs));
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 3000; i++) {
            many.append(i).append('\n');
        }
        Files.writeString(procs, many.toString());
        assertEquals(3000, CgroupFiles.pids(procs).length);
        assertArrayEquals(new int[0], CgroupFiles.pids(dir.resolve("gone")));
    }

    @Test
    void keyedFilesAreReadByKey() throws Exception {
        Path oom = dir.resolve("memory.oom_control");
        Files.writeString(oom, "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        assertEquals(3, CgroupFiles.readKey(oom, "oom_kill"));
        assertEquals(0, CgroupFiles.readKey(oom, "oom_kill_disable"));
        assertEquals(-1, CgroupFiles.readKey(oom, "oom"));
        Path max = dir.resolve("pids.max");
        Files.writeString(max, "max\n");
        assertEquals(Long.MAX_VALUE, CgroupFiles.readLong(max));
        Files.writeString(max, "2048\n");
        assertEquals(2048, CgroupFiles.readLong(max));
        assertEquals(-1, CgroupFiles.readLong(dir.resolve("gone")));
    }

    @Test
    void withoutGroupsTheStartLineSaysWhyAndWhatHoldsInstead() {
        ControlGroups none = ControlGroups.none("no cgroup v2 mount; no cgroup v1 pids controller mounted for the master");
        assertFalse(none.enabled());
        String line = none.describe(new Settings());
        assertTrue(line.startsWith("control groups: none (no cgroup v2 mount; no cgroup v1 pids"), line);
        assertTrue(line.contains("kraken.limits.processes (2048) is each worker's RLIMIT_NPROC"), line);
        assertTrue(line.contains("kraken.limits.memory_total is not enforced"), line);
        assertEquals(Long.MAX_VALUE, none.nextRemovalAt());
        none.close();
    }

    @Test
    void aGroupThatCannotBeMadeLeavesNothingAndNamesTheFile() throws Exception {
        // A parent that is a plain directory: the group's directories are made, pids.max is a
        // plain file then, but memory.limit_in_bytes cannot be written into a missing subdirectory.
        Path parent = dir.resolve("kraken-1");
        Files.createDirectory(parent);
        ControlGroups g = ControlGroups.v1(parent, parent.resolve("nowhere"), parent, null, 100);
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> g.place(1, new Settings()));
        assertTrue(e.getMessage().startsWith("cannot put worker 1 in a control group: "), e.getMessage());
        assertFalse(Files.exists(parent.resolve("w1")), "the half-made group is removed");
    }
}
