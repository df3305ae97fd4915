package kraken.master;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the script process is started: the master's own JVM with the master's own options (the
 * same stack size, class path and system properties: the script runs as it would have in the
 * master, docs/command.md), its main class {@value #MAIN}; and the command's environment, less
 * what belongs to the master alone.
 */
final class ScriptCommand {
    static final String MAIN = "kraken.cli.ScriptMain";
    private static final String MASTER_MAIN = "kraken.cli.Main";

    /**
     * Not the script's: systemd's sockets and notifications are the master's (its descriptors are
     * not even passed), and the JVM and loader variables would reach into the script process's
     * JVM, which starts as root. Everything else a script reads with os.getenv, as under lua5.1.
     */
    private static final Set<String> MASTER_ONLY = Set.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
            "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "KRAKEN_JAVA_OPTS", "KRAKEN_WORKER_OPTS");

    private ScriptCommand() {}

    static String java() {
        return System.getProperty("java.home") + "/bin/java";
    }

    static String[] environment(Map<String, String> master) {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : master.entrySet()) {
            if (!MASTER_ONLY.contains(e.getKey()) && !e.getKey().startsWith("LD_")) {
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        return env.toArray(new String[0]);
    }

    /** The master's JVM options as /proc/self/cmdline has them, else the launcher's own flags. */
    static List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        List<String> mine = cmdline();
        int main = mine.indexOf(MASTER_MAIN);
        if (main > 0) {
            cmd.addAll(mine.subList(1, main));
        } else {
            cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xss8m", "--enable-native-access=ALL-UNNAMED",
                    "-Xlog:disable", "-Xlog:all=warning:stderr", "-cp", System.getProperty("java.class.path")));
            for (String p : new String[] {"kraken.lib", "kraken.native"}) {
                if (System.getProperty(p) != null) {
                    cmd.add("-D" + p + "=" + System.getProperty(p));
                }
            }
        }
        // Tests start a hostile script process in its place (the property is the master's own
        // JVM option, set by whoever starts the master, like any other).
        cmd.add(System.getProperty("kraken.script.main", MAIN));
        return cmd;
    }

    // java.io: the master's start-up path stays clear of NIO's file system classes.
    private static List<String> cmdline() {
        List<String> out = new ArrayList<>();
        byte[] b;
        try (FileInputStream in = new FileInputStream("/proc/self/cmdline")) {
            b = in.readAllBytes();
        } catch (IOException e) {
            return out;
        }
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }
}
