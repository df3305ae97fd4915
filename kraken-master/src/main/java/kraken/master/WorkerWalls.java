package kraken.master;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import kraken.posix.PosixException;
import kraken.posix.master.Walls;
import kraken.settings.Settings;

/**
 * The walls the kernel holds around every worker (docs/walls.md, "Walls around a worker"):
 * the system-call filter always, and what kraken.confine asks for. They are read once, at start
 * (a HUP does not change them), and built once at start in a probe child before any worker
 * exists: a wall this kernel or this container cannot build stops Kraken there, with a message
 * that names it, instead of being skipped. Then every worker is spawned inside them.
 */
final class WorkerWalls {
    /**
     * The private /tmp of a read-only worker: a tmpfs that the kernel frees with the worker's mount
     * namespace. Its pages are memory; the size and inode caps keep one worker from taking much.
     */
    static final String TMP_OPTIONS = "mode=1777,size=64m,nr_inodes=16384";

    private final int flags;
    private final String description;

    private WorkerWalls(int flags, String description) {
        this.flags = flags;
        this.description = description;
    }

    /** Builds the filter and tries every wall once; throws IOException naming the wall that failed. */
    static WorkerWalls build(Settings s, LaunchPlan plan) throws IOException {
        int flags = flagsOf(s);
        if ((flags & Walls.FILES) != 0 && plan.scriptDir() != null && underTmp(plan.scriptDir())) {
            throw new IOException("kraken.confine.files = \"read-only\" gives every worker a /tmp of its own,"
                    + " where the script's folder " + plan.scriptDir() + " does not exist: keep the script outside /tmp");
        }
        int instructions;
        try {
            instructions = Walls.prepare();
            Walls.spawn("/", new String[0], new String[0], new int[0], flags | Walls.PROBE, TMP_OPTIONS);
        } catch (PosixException e) {
            throw new IOException("cannot wall workers in (docs/walls.md): " + e.getMessage(), e);
        }
        List<String> parts = new ArrayList<>();
        parts.add("a system-call filter (" + instructions + " BPF instructions)");
        if ((flags & Walls.NETWORK) != 0) {
            parts.add("no network");
        }
        if ((flags & Walls.FILES) != 0) {
            parts.add("a read-only file system with a private /tmp");
        }
        return new WorkerWalls(flags, String.join(", ", parts));
    }

    private static boolean underTmp(Path dir) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            real = dir.toAbsolutePath().normalize();
        }
        return real.startsWith("/tmp");
    }

    static int flagsOf(Settings s) {
        int flags = 0;
        if ("none".equals(s.confineNetwork)) {
            flags |= Walls.NETWORK;
        }
        if ("read-only".equals(s.confineFiles)) {
            flags |= Walls.FILES;
        }
        return flags;
    }

    /** Spawns a worker inside the walls; see {@link Walls#spawn}. */
    int spawn(String path, String[] argv, String[] envp, int[] fdMap) throws PosixException {
        return Walls.spawn(path, argv, envp, fdMap, flags, TMP_OPTIONS);
    }

    /** For the master's first log lines: "a system-call filter (..), no network". */
    @Override
    public String toString() {
        return description;
    }
}
