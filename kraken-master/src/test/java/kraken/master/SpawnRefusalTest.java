package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kraken.mm for real: the master runs as nobody (a process limit does not bind root), and
 * prlimit lowers its RLIMIT_NPROC below what the user already runs, so the spawn's clone really fails
 * with EAGAIN. Then the limit is lifted and the master recovers on its own.
 */
@Tag("integration")
@Timeout(120)
class SpawnRefusalTest {
    @TempDir
    Path dir;

    @Test
    void theOsRefusingAWorkerIsRetriedAsKrakenMmSaysAndRecovers() throws Exception {
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        String cp = readableClasspath(dir.resolve("cp"));
        int port = Paths.freePort();
        Path script = dir.resolve("server.lua");
        Files.writeString(script, Server.helloProgram().replace("PORT", Integer.toString(port)));
        Path config = dir.resolve("kraken.lua");
        Files.writeString(config, "kraken.mm = { tries = 3, timeout = { 100, 200 } }\nkraken.workers.spare = 1\n");
        for (File f : dir.toFile().listFiles()) {
            f.setReadable(true, false);
        }
        try (KrakenProcess p = KrakenProcess.builder().classpath(cp)
                .prefix("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
                .args("--config", config.toString(), script.toString()).start()) {
            p.await("a ready worker", Duration.ofSeconds(30), () -> p.stderr().contains("ready in"));
            String saved = softProcessLimit(p.pid());
            prlimit(p.pid(), "1:");
            // Take the ready worker: its replacement is refused three times, then abandoned.
            assertEquals(">Ok\n\r\n", exchange(port));
            p.await("three refusals", Duration.ofSeconds(20), () -> p.stderr().contains("attempt 3 of 3"));
            String err = p.stderr();
            assertTrue(err.contains("spawn refused by the OS (attempt 1 of 3): Resource temporarily unavailable;"
                    + " retrying in "), err);
            assertTrue(err.contains("(attempt 3 of 3): Resource temporarily unavailable; spawn abandoned"), err);
            Matcher m = Pattern.compile("retrying in (\\d+) ms").matcher(err);
            List<Integer> waits = new ArrayList<>();
            while (m.find()) {
                waits.add(Integer.parseInt(m.group(1)));
            }
            assertEquals(2, waits.size(), err);
            for (int w : waits) {
                assertTrue(w >= 100 && w <= 200, "wait " + w + " outside kraken.mm.timeout {100, 200}");
            }
            prlimit(p.pid(), saved + ":");
            p.await("a new ready worker", Duration.ofSeconds(30), () -> count(p.stderr(), "ready in") >= 2);
            assertEquals(">Ok\n\r\n", exchange(port));
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String exchange(int port) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("hi\n".getBytes());
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    // Only the soft limit moves: raising a hard limit back needs a privilege this sandbox may lack.
    private static String softProcessLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max processes")) {
                return line.substring("Max processes".length()).trim().split("\\s+")[0];
            }
        }
        throw new AssertionError("no process limit in /proc/" + pid + "/limits");
    }

    private static void prlimit(long pid, String limits) throws Exception {
        // As nobody, like the master: changing another user's limits needs CAP_SYS_RESOURCE, which
        // sandboxes often drop even for root.
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "prlimit", "--pid", Long.toString(pid), "--nproc=" + limits)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("prlimit --nproc=" + limits + " failed: " + out);
        }
    }

    // The build's jars live under root's home, which nobody cannot read: copy the classpath.
    static String readableClasspath(Path into) throws IOException {
        Files.createDirectories(into);
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(entry);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = into.resolve((i++) + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                try (var walk = Files.walk(src)) {
                    for (Path f : (Iterable<Path>) walk::iterator) {
                        Path t = dst.resolve(src.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            }
            out.add(dst.toString());
        }
        try (var walk = Files.walk(into)) {
            walk.forEach(f -> {
                f.toFile().setReadable(true, false);
                if (Files.isDirectory(f)) {
                    f.toFile().setExecutable(true, false);
                }
            });
        }
        return String.join(File.pathSeparator, out);
    }
}
