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
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * native-scripts/kraken as `make` leaves it (build/lib: jars, libkraken.so, the worker archive),
 * serving examples/hello.lua, the program every user writes (docs/lua-api.md), unchanged but for its port.
 */
@Tag("integration")
@Timeout(120)
class LauncherTest {
    @TempDir
    Path dir;

    @Test
    void theLauncherServesTheSpecProgramWithLeanWorkers() throws Exception {
        File lib = new File(Paths.root(), "build/lib");
        assertTrue(new File(lib, "kraken-master.jar").isFile(), "run `make build` first (make test does)");
        int port = Paths.freePort();
        String hello = Files.readString(Paths.root().toPath().resolve("examples/hello.lua"));
        assertTrue(hello.contains("port = 8001"));
        // A root kraken runs the script as nobody (docs/processes.md): it must reach the file.
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        Path script = dir.resolve("hello.lua");
        Files.writeString(script, hello.replace("port = 8001", "port = " + port));
        try (KrakenProcess p = KrakenProcess.builder().viaLauncher().args(script.toString()).start()) {
            p.await("a ready worker", Duration.ofSeconds(30), () -> p.stderr().contains("ready in"));
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                assertEquals('>', s.getInputStream().read());
                s.getOutputStream().write("hi\n".getBytes(StandardCharsets.ISO_8859_1));
                assertEquals("Ok\n\r\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
            }
            // The launcher's JVM is a child of the shell script's exec: the master is p itself.
            // A child caught between the spawn's clone and its exec still shows the master's
            // command line: wait for one that runs the worker's main class.
            String[] found = new String[1];
            p.await("a worker's command line", Duration.ofSeconds(30), () -> {
                for (ProcessHandle h : p.process().toHandle().children().toList()) {
                    try {
                        String c = Files.readString(Path.of("/proc/" + h.pid() + "/cmdline")).replace('\0', ' ');
                        if (c.contains("kraken.worker.WorkerMain")) {
                            found[0] = c;
                            return true;
                        }
                    } catch (java.io.IOException gone) {
                        // exited meanwhile
                    }
                }
                return false;
            });
            String cmd = found[0];
            assertTrue(cmd.contains("-XX:SharedArchiveFile=" + lib.getCanonicalPath() + "/worker-")
                    || cmd.contains("-XX:AOTCache=" + lib.getCanonicalPath() + "/worker-"), cmd);
            assertTrue(cmd.contains("kraken-worker.jar") && cmd.contains("luaj-jse"), cmd);
            assertFalse(cmd.contains("kraken-master.jar") || cmd.contains("commons-cli"), "worker classpath: " + cmd);
            p.await("the print lines", Duration.ofSeconds(10), () -> p.stdout().contains("Received: hi"));
            assertTrue(p.stdout().matches("Connection from 127\\.0\\.0\\.1:\\d+\nReceived: hi\n"), p.stdout());
        }
    }

    /**
     * Which Java (docs/operations.md): the JDK `make` chose and recorded in build/lib/java-home
     * (the newest JDK 24 or later on the machine), else the java on PATH; JAVA_HOME over both.
     */
    @Test
    void theLauncherRunsTheJdkMakeChoseUnlessJavaHomeSaysOtherwise() throws Exception {
        File lib = new File(Paths.root(), "build/lib");
        assertTrue(new File(lib, "kraken-master.jar").isFile(), "run `make build` first (make test does)");
        File chosen = new File(lib, "java-home");
        Path pathJava = Path.of(new ProcessBuilder("sh", "-c", "command -v java").start().inputReader().readLine())
                .toRealPath();
        Path expected = chosen.isFile() ? Path.of(Files.readString(chosen.toPath()).trim(), "bin/java").toRealPath()
                : pathJava;
        if (chosen.isFile()) {
            // What make chose has its own archive beside the jars, so its workers start from it.
            String feature = Files.readString(expected.getParent().getParent().resolve("release"))
                    .replaceAll("(?s).*JAVA_VERSION=\"?(\\d+).*", "$1");
            assertTrue(new File(lib, "worker-" + feature + ".aot").isFile()
                    || new File(lib, "worker-" + feature + ".jsa").isFile(), "no archive for JDK " + feature);
        }
        assertEquals(expected, javaOf(""));
        Path other = Path.of(Paths.java()).toRealPath();
        assertEquals(other, javaOf(other.getParent().getParent().toString()));
    }

    /** The java binary a kraken started by the launcher with JAVA_HOME set to home runs. */
    private static Path javaOf(String home) throws Exception {
        try (KrakenProcess p = KrakenProcess.builder().viaLauncher().env("JAVA_HOME", home)
                .args("-e", "os.execute('sleep 60')").start()) {
            Path[] exe = new Path[1];
            p.await("the master's JVM", Duration.ofSeconds(30), () -> {
                try {
                    exe[0] = Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/exe"));
                    return exe[0].getFileName().toString().equals("java");
                } catch (java.io.IOException notYet) {
                    return false;
                }
            });
            return exe[0].toRealPath();
        }
    }
}
