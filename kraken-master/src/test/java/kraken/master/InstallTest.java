package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `make install DESTDIR=... PREFIX=/usr` (its install-files half, on what `make build` left):
 * the launcher, the jars and the worker archive, /etc/kraken.lua (never overwritten), the units
 * that exist, the init script, the man page and the documentation; then the installed kraken
 * serves the program every user writes (docs/lua-api.md) and the man page renders without a warning.
 */
@Tag("integration")
@Timeout(240)
class InstallTest {
    @TempDir
    Path dir;

    private static String run(Duration deadline, File cwd, java.util.Map<String, String> env, String... cmd)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish\n" + out);
        }
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    @Test
    void makeInstallInstallsEverythingAndTheInstalledKrakenServes() throws Exception {
        File root = Paths.root();
        assertTrue(new File(root, "build/lib/kraken-master.jar").isFile(), "run `make build` first (make test does)");
        Path dest = dir.resolve("stage");
        String[] make = {"make", "-s", "install-files", "DESTDIR=" + dest, "PREFIX=/usr"};
        run(Duration.ofMinutes(3), root, java.util.Map.of(), make);

        Path bin = dest.resolve("usr/bin/kraken");
        assertTrue(Files.isExecutable(bin));
        Path lib = dest.resolve("usr/lib/kraken");
        for (String f : List.of("kraken-master.jar", "kraken-worker.jar", "libkraken.so")) {
            assertTrue(Files.isRegularFile(lib.resolve(f)), f);
        }
        try (var s = Files.list(lib)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().matches("worker-\\d+\\.(jsa|aot)")), "worker archive");
        }
        // The JDK make chose (docs/operations.md, "Which Java") is chosen again where the jars land.
        Path chosen = root.toPath().resolve("build/lib/java-home");
        assertEquals(Files.exists(chosen), Files.exists(lib.resolve("java-home")), "java-home installed as built");
        if (Files.exists(chosen)) {
            assertEquals(Files.readString(chosen), Files.readString(lib.resolve("java-home")));
        }
        Path conf = dest.resolve("etc/kraken.lua");
        assertEquals(Files.readString(root.toPath().resolve("conf/kraken.lua")), Files.readString(conf));
        Path init = dest.resolve("etc/init.d/kraken");
        assertTrue(Files.isExecutable(init));
        assertTrue(Files.readString(init).contains("/usr/bin/kraken"), "the init script names the installed kraken");
        assertFalse(Files.readString(init).contains("/usr/local/bin/kraken"));
        for (String unit : List.of("kraken.service", "kraken.socket")) {
            Path shipped = root.toPath().resolve("native-scripts/" + unit);
            Path installed = dest.resolve("lib/systemd/system/" + unit);
            assertEquals(Files.exists(shipped), Files.exists(installed), unit + " installed when shipped");
            if (Files.exists(installed)) {
                assertFalse(Files.readString(installed).contains("/usr/local/bin/kraken"), unit);
            }
        }
        Path man = dest.resolve("usr/share/man/man1/kraken.1");
        assertTrue(Files.isRegularFile(man));
        Path docs = dest.resolve("usr/share/doc/kraken");
        assertTrue(Files.isRegularFile(docs.resolve("README.md")));
        assertTrue(Files.isRegularFile(docs.resolve("docs/configuration.md")));
        assertTrue(Files.isRegularFile(docs.resolve("examples/hello.lua")));

        // The man page renders with no warning, through man(1) and through groff itself.
        String groff = run(Duration.ofSeconds(60), root, java.util.Map.of(), "groff", "-ww", "-man", "-z",
                man.toString());
        assertEquals("", groff, "groff warnings");
        String rendered = run(Duration.ofSeconds(60), root, java.util.Map.of("MANWIDTH", "80", "LANG", "C.UTF-8"),
                "sh", "-c", "man --warnings -E UTF-8 -l -Tutf8 '" + man + "' 2>&1 >/dev/null");
        assertEquals("", rendered, "man -l warnings");
        String text = run(Duration.ofSeconds(60), root, java.util.Map.of("MANWIDTH", "80"), "man", "-l", man.toString());
        for (String must : List.of("KRAKEN_CONFIG", "KRAKEN_JAVA_OPTS", "KRAKEN_WORKER_OPTS", "/etc/kraken.lua",
                "kraken.status", "kraken.log.connections", "HUP", "USR1", "kraken status")) {
            assertTrue(text.contains(must), "the man page covers " + must);
        }

        // An administrator's configuration is never overwritten by a later install.
        Files.writeString(conf, "kraken.grace = 5\n");
        run(Duration.ofMinutes(3), root, java.util.Map.of(), make);
        assertEquals("kraken.grace = 5\n", Files.readString(conf));

        // The installed kraken serves the program every user writes, with the installed configuration file.
        int port = Paths.freePort();
        Path script = dir.resolve("hello.lua");
        Files.writeString(script, Files.readString(root.toPath().resolve("examples/hello.lua"))
                .replace("port = 8001", "port = " + port));
        dir.toFile().setExecutable(true, false);
        script.toFile().setReadable(true, false);
        try (KrakenProcess p = KrakenProcess.builder().viaLauncher(bin.toFile()).env("KRAKEN_CONFIG", conf.toString())
                .args(script.toString()).start()) {
            p.await("a ready worker", Duration.ofSeconds(60), () -> p.stderr().contains("ready in"));
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                assertEquals('>', s.getInputStream().read());
                s.getOutputStream().write("hi\n".getBytes(StandardCharsets.ISO_8859_1));
                assertEquals("Ok\n\r\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
            }
            List<String> cmds = new ArrayList<>();
            p.process().toHandle().children().forEach(h -> {
                try {
                    cmds.add(Files.readString(Path.of("/proc/" + h.pid() + "/cmdline")).replace('\0', ' '));
                } catch (java.io.IOException gone) {
                    // exited meanwhile
                }
            });
            assertTrue(cmds.stream().anyMatch(c -> c.contains(lib.toString() + "/kraken-worker.jar")),
                    "workers run the installed jars: " + cmds);
            p.await("the print lines", Duration.ofSeconds(20), () -> p.stdout().contains("Received: hi"));
        }
        KrakenProcess.Result v = KrakenProcess.builder().viaLauncher(bin.toFile()).args("--version")
                .run(Duration.ofSeconds(60));
        assertEquals(0, v.exitCode(), v.toString());
        assertTrue(v.stderr().startsWith("Kraken "), v.toString());
    }
}
