package kraken.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real `kraken` process for tests: the command's main class in a fresh JVM with this test
 * JVM's classpath (so it runs the code under test, not a stale build), output captured.
 * close() kills it and every descendant by pid, so no test leaves a process behind.
 */
public final class KrakenProcess implements AutoCloseable {
    private final Process process;
    private final Capture out;
    private final Capture err;

    private KrakenProcess(Process process) {
        this.process = process;
        this.out = new Capture(process.getInputStream());
        this.err = new Capture(process.getErrorStream());
    }

    /**
     * Opens a test's folder to every user: under a root kraken the script runs as nobody
     * (docs/processes.md) and must read it, as a user's folder would have to be. A folder inside
     * another test folder (a @TempDir is 0700) needs its parents passable too, up to the system's
     * temporary folder.
     */
    public static void openToAll(File d) {
        d.setReadable(true, false);
        d.setExecutable(true, false);
        File tmp = new File(System.getProperty("java.io.tmpdir")).getAbsoluteFile();
        for (File p = d.getAbsoluteFile().getParentFile(); p != null && !p.equals(tmp)
                && p.getPath().startsWith(tmp.getPath()); p = p.getParentFile()) {
            p.setExecutable(true, false);
        }
    }

    /** Starts kraken with args, no configuration file (the built-in default) and stdin from input. */
    public static KrakenProcess start(List<String> args) throws IOException {
        return builder().args(args).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs kraken to completion within the deadline; kills it (and fails) if it overruns. */
    public static Result run(Duration deadline, String... args) throws Exception {
        return builder().args(Arrays.asList(args)).run(deadline);
    }

    public static final class Builder {
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new HashMap<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private byte[] stdin = new byte[0];
        private File dir;
        private boolean useLauncher;
        private File launcher = new File(Paths.root(), "native-scripts/kraken");
        private final List<String> prefix = new ArrayList<>();
        private String classpath = System.getProperty("java.class.path");

        public Builder args(List<String> a) {
            args.addAll(a);
            return this;
        }

        public Builder args(String... a) {
            return args(Arrays.asList(a));
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        public Builder stdin(String s) {
            stdin = s.getBytes(StandardCharsets.ISO_8859_1);
            return this;
        }

        /**
         * Runs kraken in folder d. Under a root kraken the script runs as nobody (docs/processes.md),
         * so the folder (a test's own temporary one) is opened to it, as a user's would have to be.
         */
        public Builder dir(File d) {
            openToAll(d);
            dir = d;
            return this;
        }

        /** A command that runs kraken, e.g. setpriv to start it as another user. */
        public Builder prefix(String... p) {
            prefix.addAll(Arrays.asList(p));
            return this;
        }

        public Builder classpath(String cp) {
            classpath = cp;
            return this;
        }

        /** Runs native-scripts/kraken (needs `make build`) instead of the main class directly. */
        public Builder viaLauncher() {
            useLauncher = true;
            return this;
        }

        /** Runs this launcher script (an installed kraken) instead of the main class directly. */
        public Builder viaLauncher(File script) {
            useLauncher = true;
            launcher = script;
            return this;
        }

        public KrakenProcess start() throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            if (useLauncher) {
                cmd.add(launcher.getPath());
            } else {
                cmd.add(Paths.java());
                cmd.add("-XX:+UseSerialGC");
                cmd.add("-XX:TieredStopAtLevel=1");
                cmd.add("-Xss8m");
                // As native-scripts/kraken: JDK 22 and later warn on stderr (the script's) of a
                // library loaded without it.
                cmd.add("--enable-native-access=ALL-UNNAMED");
                cmd.addAll(jvmArgs);
                cmd.add("-Dkraken.native=" + Paths.nativeLibrary());
                cmd.add("-cp");
                cmd.add(classpath);
                cmd.add("kraken.cli.Main");
            }
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (dir != null) {
                pb.directory(dir);
            }
            // No /etc/kraken.lua from the machine leaks into a test unless it asks for one.
            pb.environment().put("KRAKEN_CONFIG", "");
            pb.environment().putAll(env);
            KrakenProcess p = new KrakenProcess(pb.start());
            try (OutputStream in = p.process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // The program exited without reading its input: not an error for the test.
            }
            return p;
        }

        public Result run(Duration deadline) throws Exception {
            try (KrakenProcess p = start()) {
                return p.waitFor(deadline);
            }
        }
    }

    /** An exited process's status and output. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    public Result waitFor(Duration deadline) throws Exception {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError("kraken did not exit within " + deadline + "\n--- stdout\n" + out.text()
                    + "--- stderr\n" + err.text());
        }
        out.join();
        err.join();
        return new Result(process.exitValue(), out.text(), err.text());
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Output so far. */
    public String stdout() {
        return out.text();
    }

    public String stderr() {
        return err.text();
    }

    /** Waits until the condition holds, or fails with the process's output once the deadline passes. */
    public void await(String what, Duration deadline, BooleanSupplier condition) {
        try {
            Poll.until(what, deadline, () -> {
                if (condition.getAsBoolean()) {
                    return true;
                }
                if (!process.isAlive() && !condition.getAsBoolean()) {
                    throw new AssertionError("kraken exited (" + process.exitValue() + ") before " + what);
                }
                return false;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- stdout\n" + stdout() + "--- stderr\n" + stderr(), e);
        }
    }

    /** Sends a signal by name ("TERM", "HUP", ...) to the kraken process. */
    public void signal(String name) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + pid() + " failed");
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        process.toHandle().descendants().forEach(all::add);
        all.add(process.toHandle());
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Reported by leak checks in the tests that care; nothing more to do here.
            }
        }
        removeControlGroupsOf(process.pid());
    }

    /**
     * A master killed outright leaves its control groups (docs/configuration.md, "Control
     * groups"), emptied once its processes are gone; the next master's start removes them, and
     * the tests' last master has no next one. Removes the groups named after pid, its workers'
     * first, retrying for a second while the kernel finishes with the dead.
     */
    private static void removeControlGroupsOf(long pid) {
        long end = System.nanoTime() + 1_000_000_000L;
        while (true) {
            List<Path> left = new ArrayList<>();
            try (var found = Files.find(Path.of("/sys/fs/cgroup"), 6,
                    (p, a) -> a.isDirectory() && p.getFileName() != null
                            && p.getFileName().toString().equals("kraken-" + pid))) {
                found.forEach(left::add);
            } catch (IOException | java.io.UncheckedIOException e) {
                return; // no groups here, or none we may see
            }
            boolean removed = true;
            for (Path g : left) {
                try (var inside = Files.list(g)) {
                    for (Path w : inside.filter(Files::isDirectory).toList()) {
                        Files.deleteIfExists(w);
                    }
                    Files.deleteIfExists(g);
                } catch (IOException busy) {
                    removed = false;
                }
            }
            if (removed || System.nanoTime() > end) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Drains a stream on a thread so a chatty process never blocks on a full pipe. */
    private static final class Capture {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        Capture(InputStream in) {
            thread = new Thread(() -> {
                byte[] b = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(b)) > 0; ) {
                        synchronized (buf) {
                            buf.write(b, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // Stream closed: the process is gone.
                }
            }, "capture");
            thread.setDaemon(true);
            thread.start();
        }

        String text() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.ISO_8859_1);
            }
        }

        void join() throws InterruptedException {
            thread.join(5000);
        }
    }
}
