package kraken.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** What /proc says about a process's descriptors and environment. */
public final class ProcFiles {
    private ProcFiles() {}

    /** The socket inodes ("socket:[N]") among pid's descriptors. */
    public static Set<String> sockets(long pid) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String d : Server.descriptors((int) pid)) {
            int arrow = d.indexOf("-> ");
            String target = d.substring(arrow + 3);
            if (target.startsWith("socket:")) {
                out.add(target);
            }
        }
        return out;
    }

    /** Whether descriptor fd of pid is close-on-exec (O_CLOEXEC in /proc/PID/fdinfo). */
    public static boolean closeOnExec(long pid, int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return (Long.parseLong(line.substring(6).trim(), 8) & 02000000L) != 0;
            }
        }
        throw new AssertionError("no flags for fd " + fd + " of " + pid);
    }

    /**
     * The names of pid's environment variables, or nothing when pid has ended: a child listed a
     * moment ago (a worker retiring, a spawn's helper) may be gone by the time its file is read.
     */
    public static Optional<List<String>> environmentNames(long pid) throws IOException {
        List<String> out = new ArrayList<>();
        String env;
        try {
            env = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException ended) {
            return Optional.empty(); // /proc/PID is gone with the process
        }
        for (String kv : env.split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.add(kv.substring(0, eq));
            }
        }
        return Optional.of(out);
    }

    /**
     * Whether the master's child pid has exec'd a worker or the script process. A child between
     * its clone and its exec (a worker being spawned) still runs the master's program, with
     * copies of the master's descriptors (close-on-exec, gone at the exec) and its environment:
     * what it holds then is not yet its own. False too when pid has ended.
     */
    public static boolean runsKrakenChild(long pid) {
        try {
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
            return cmdline.contains("kraken.worker.WorkerMain") || cmdline.contains("kraken.cli.ScriptMain");
        } catch (IOException gone) {
            return false;
        }
    }
}
