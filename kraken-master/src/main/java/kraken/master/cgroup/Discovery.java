package kraken.master.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the control groups the master may use, from /proc/self/mountinfo (where each hierarchy
 * is mounted, and which part of it) and /proc/self/cgroup (the master's own group in each),
 * and makes Kraken's parent group: {@code kraken-<master pid>} beside the master's own group.
 */
final class Discovery {
    private Discovery() {}

    /** How many times the master's group is listed again for what its processes forked while moving. */
    private static final int MOVE_ROUNDS = 16;

    /** A mounted hierarchy: its mount point, the group at that point, and its controllers (v1). */
    private record Mount(Path point, String root, List<String> controllers) {}

    static ControlGroups discover(long masterPid) {
        return discover(masterPid, Path.of("/proc"));
    }

    /**
     * As {@link #discover(long)}, reading self/mountinfo, self/cgroup, sys/kernel/pid_max and
     * PID/stat under proc instead of /proc: the tests give it a fake /proc beside a fake tree.
     */
    static ControlGroups discover(long masterPid, Path proc) {
        Map<String, Mount> v1 = new HashMap<>();
        Mount unified = null;
        Map<String, String> ownV1 = new HashMap<>();
        String ownV2 = null;
        long pidMax;
        try {
            for (String line : CgroupFiles.read(proc.resolve("self/mountinfo")).split("\n")) {
                String[] halves = line.split(" - ", 2);
                String[] f = halves[0].split(" ");
                String[] g = halves.length > 1 ? halves[1].split(" ") : new String[0];
                if (f.length < 5 || g.length < 3) {
                    continue;
                }
                Path point = Path.of(unescape(f[4]));
                if (g[0].equals("cgroup2") && unified == null) {
                    unified = new Mount(point, f[3], List.of());
                } else if (g[0].equals("cgroup")) {
                    Mount m = new Mount(point, f[3], List.of(g[2].split(",")));
                    for (String c : m.controllers()) {
                        v1.putIfAbsent(c, m);
                    }
                }
            }
            for (String line : CgroupFiles.read(proc.resolve("self/cgroup")).split("\n")) {
                String[] f = line.split(":", 3);
                if (f.length < 3) {
                    continue;
                }
                if (f[0].equals("0") && f[1].isEmpty()) {
                    ownV2 = f[2];
                } else {
                    for (String c : f[1].split(",")) {
                        ownV1.put(c, f[2]);
                    }
                }
            }
            // Not Files.readString: JDK 17 sizes its read by the file's size, 0 in /proc, and reads one byte.
            pidMax = Long.parseLong(CgroupFiles.read(proc.resolve("sys/kernel/pid_max")).trim());
        } catch (IOException | RuntimeException e) {
            return ControlGroups.none("cannot read /proc: " + e.getMessage());
        }
        long total = Math.max(1, pidMax / 2);
        String v2Why = "no cgroup v2 mount";
        if (unified != null && ownV2 != null) {
            Path own = within(unified, ownV2);
            try {
                if (own == null) {
                    throw new IOException("the master's cgroup v2 group " + ownV2 + " is outside the mount at "
                            + unified.point() + " (" + unified.root() + ")");
                }
                return v2(own, masterPid, total, proc);
            } catch (IOException e) {
                v2Why = e.getMessage();
            }
        }
        try {
            return v1(v1, ownV1, masterPid, total);
        } catch (IOException e) {
            return ControlGroups.none(v2Why + "; " + e.getMessage());
        }
    }

    private static ControlGroups v2(Path own, long masterPid, long total, Path proc) throws IOException {
        String offered = CgroupFiles.read(own.resolve("cgroup.controllers")).trim();
        if (!(" " + offered + " ").contains(" pids ") || !(" " + offered + " ").contains(" memory ")) {
            throw new IOException("cgroup v2 at " + own + " offers the master's group "
                    + (offered.isEmpty() ? "no controllers" : "only " + offered)
                    + ", not pids and memory (under systemd: Delegate=yes)");
        }
        // The root group (the only one without cgroup.freeze) may hold processes beside groups.
        if (Files.exists(own.resolve("cgroup.freeze"))) {
            // The group must be the master's own: itself and its descendants (the script's process
            // and what its top level left running), as under systemd with Delegate=yes; never a
            // shell's session shared with others.
            int[] inside = CgroupFiles.pids(own.resolve("cgroup.procs"));
            for (int p : inside) {
                toMove(own, proc, p, masterPid);
            }
            // Only leaves hold processes once controllers are enabled below (the kernel refuses
            // them to a group with a process of its own, EBUSY): all move to one, the master
            // first, then again whatever one of them forked meanwhile.
            Path leaf = own.resolve("master");
            mkdir(leaf);
            CgroupFiles.write(leaf.resolve("cgroup.procs"), Long.toString(masterPid));
            Set<Integer> moved = new HashSet<>();
            for (int round = 0; round < MOVE_ROUNDS; round++) {
                boolean more = false;
                for (int p : round == 0 ? inside : CgroupFiles.pids(own.resolve("cgroup.procs"))) {
                    if (p != masterPid && moved.add(p) && toMove(own, proc, p, masterPid)) {
                        try {
                            CgroupFiles.write(leaf.resolve("cgroup.procs"), Integer.toString(p));
                        } catch (IOException e) {
                            if (Files.exists(proc.resolve(Integer.toString(p)))) {
                                throw e;
                            } // exited meanwhile (ESRCH)
                        }
                        more = true;
                    }
                }
                if (!more) {
                    break;
                }
            }
        }
        CgroupFiles.write(own.resolve("cgroup.subtree_control"), "+pids +memory");
        Path parent = own.resolve("kraken-" + masterPid);
        removeStale(own);
        mkdir(parent);
        CgroupFiles.write(parent.resolve("pids.max"), Long.toString(total));
        CgroupFiles.write(parent.resolve("cgroup.subtree_control"), "+pids +memory");
        return ControlGroups.v2(parent, total);
    }

    private static ControlGroups v1(Map<String, Mount> mounts, Map<String, String> own, long masterPid, long total)
            throws IOException {
        Path[] parents = new Path[4];
        String[] controllers = {"pids", "memory", "freezer", "cpuacct"};
        for (int i = 0; i < controllers.length; i++) {
            String c = controllers[i];
            Mount m = mounts.get(c);
            Path dir = m == null || own.get(c) == null ? null : within(m, own.get(c));
            if (dir == null) {
                if (i < 3) {
                    throw new IOException("no cgroup v1 " + c + " controller mounted for the master");
                }
                continue;
            }
            removeStale(dir);
            parents[i] = dir.resolve("kraken-" + masterPid);
            try {
                mkdir(parents[i]);
            } catch (IOException e) {
                if (i < 3) {
                    throw e;
                }
                parents[i] = null; // no accounting, the caps still hold
            }
        }
        CgroupFiles.write(parents[0].resolve("pids.max"), Long.toString(total));
        // Hierarchical accounting, so that a worker's group counts in Kraken's (always on since Linux 5.x).
        try {
            CgroupFiles.write(parents[1].resolve("memory.use_hierarchy"), "1");
        } catch (IOException alreadyOn) {
            // set by the parent, or fixed by the kernel
        }
        return ControlGroups.v1(parents[0], parents[1], parents[2], parents[3], total);
    }

    /**
     * Whether pid, listed in the master's group own, moves with the master: the master's or a
     * descendant; false when it has exited since the list. Any other process is a refusal.
     */
    private static boolean toMove(Path own, Path proc, int pid, long masterPid) throws IOException {
        if (descends(proc, pid, masterPid)) {
            return true;
        }
        if (!Files.exists(proc.resolve(Integer.toString(pid)))) {
            return false;
        }
        throw new IOException("the master's cgroup v2 group " + own + " holds processes other than the master's"
                + " (pid " + pid + ")");
    }

    /** Whether pid is ancestor or one of its descendants, by the parents in /proc/PID/stat. */
    private static boolean descends(Path proc, long pid, long ancestor) {
        for (int depth = 0; depth < 64 && pid > 1; depth++) {
            if (pid == ancestor) {
                return true;
            }
            pid = parentOf(proc, pid);
        }
        return pid == ancestor;
    }

    /** The parent pid of pid, from /proc/PID/stat; -1 when it is gone. */
    private static long parentOf(Path proc, long pid) {
        try {
            String stat = CgroupFiles.read(proc.resolve(pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void mkdir(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException mine) {
            // left by an earlier master of the same pid, or made by a step before: reused
        } catch (IOException e) {
            throw new IOException("cannot create the control group " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The directory of group (a path within the hierarchy) under mount m; null if m does not show
     * it. A group outside the reader's cgroup namespace is shown relative to the namespace's root,
     * with ".." ("0::/../other/group", cgroup-v2.rst, "Namespace"): no directory under the mount
     * is that group, and resolving it would name a directory beside the mount, another hierarchy.
     */
    static Path within(Path point, String root, String group) {
        return within(new Mount(point, root, List.of()), group);
    }

    private static Path within(Mount m, String group) {
        if (!group.startsWith("/") || ("/" + group + "/").contains("/../") || group.contains("/./")) {
            return null;
        }
        String root = m.root();
        if (root.equals("/")) {
            return m.point().resolve(group.substring(1));
        }
        if (group.equals(root)) {
            return m.point();
        }
        if (group.startsWith(root + "/")) {
            return m.point().resolve(group.substring(root.length() + 1));
        }
        return null;
    }

    /**
     * Kraken parent groups of masters that are gone (killed before they could remove them): the
     * empty ones are removed, so that they do not pile up. A group something still runs in stays.
     * "Gone" is judged in this master's pid namespace: two Krakens in different pid namespaces
     * must not share one control group (containers get groups of their own).
     */
    private static void removeStale(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "kraken-*")) {
            for (Path p : ds) {
                String pid = p.getFileName().toString().substring("kraken-".length());
                if (!pid.matches("[0-9]{1,10}") || ControlGroups.alive(Long.parseLong(pid))) {
                    continue;
                }
                try (DirectoryStream<Path> workers = Files.newDirectoryStream(p, "w*")) {
                    for (Path w : workers) {
                        CgroupFiles.remove(w);
                    }
                }
                CgroupFiles.remove(p);
            }
        } catch (IOException | RuntimeException e) {
            // nothing to tidy, or not allowed to look
        }
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
