package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SysV script's reload, and the master's HUP when it was started with HUP ignored (nohup).
 * The script runs the built launcher (native-scripts/kraken, after `make build`).
 */
@Tag("integration")
@Timeout(180)
class InitScriptTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String versioned(String v) {
        return """
                local app = coroutine.create(function (skt, addr) skt:send("VERSION") end)
                assert(kraken.registerApplication(app))
                assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
                assert(kraken.loop())
                """.replace("VERSION", v);
    }

    private int run(Path log, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("init.out").toFile()));
        pb.environment().put("DAEMON", new File(Paths.root(), "native-scripts/kraken").getPath());
        pb.environment().put("KRAKEN_SCRIPT", dir.resolve("server.lua").toString());
        pb.environment().put("KRAKEN_PIDFILE", dir.resolve("kraken.pid").toString());
        pb.environment().put("KRAKEN_LOGFILE", log.toString());
        pb.environment().put("KRAKEN_CONFIG", dir.resolve("kraken.lua").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "init script finished");
        return p.exitValue();
    }

    @Test
    void reloadThroughTheSysVScriptRestartsWorkersOnTheNewScript() throws Exception {
        int port = Paths.freePort();
        dir.toFile().setExecutable(true, false);
        Path script = dir.resolve("server.lua");
        Files.writeString(script, versioned("v1").replace("PORT", "" + port));
        script.toFile().setReadable(true, false);
        Files.writeString(dir.resolve("kraken.lua"), "kraken.workers.spare = 1\n");
        Path log = dir.resolve("kraken.log");
        String init = new File(Paths.root(), "native-scripts/kraken.init").getPath();
        long pid = -1;
        try {
            assertEquals(0, run(log, "sh", init, "start"));
            pid = Long.parseLong(Files.readString(dir.resolve("kraken.pid")).trim());
            Poll.until("a ready worker in " + log, WAIT, () -> read(log).contains("ready in"));
            assertEquals("v1\r\n", SocketActivationTest.exchange(new java.net.InetSocketAddress("127.0.0.1", port)));
            assertTrue(read(log).contains("serving [127.0.0.1:" + port + "]"), "the pid file names the master");

            Files.writeString(script, versioned("v2").replace("PORT", "" + port));
            assertEquals(0, run(log, "sh", init, "reload"));
            Poll.until("the reload in the log", WAIT, () -> read(log).contains("restarting workers (generation 1)"));
            Poll.until("v2 served", WAIT, () -> {
                try {
                    return SocketActivationTest.exchange(new java.net.InetSocketAddress("127.0.0.1", port))
                            .equals("v2\r\n");
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(0, run(log, "sh", init, "stop"));
            long master = pid;
            Poll.until("the master to exit", WAIT, () -> ProcessHandle.of(master).isEmpty());
            assertTrue(read(log).contains("kraken: stopped"), read(log));
        } finally {
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
            }
        }
    }

    @Test
    void aMasterStartedUnderNohupStillReloadsOnHup() throws Exception {
        int port = Paths.freePort();
        // A root kraken runs the script as nobody (docs/processes.md): it must reach the file.
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        Path script = dir.resolve("nohup.lua");
        Files.writeString(script, versioned("v1").replace("PORT", "" + port));
        script.toFile().setReadable(true, false);
        try (KrakenProcess k = KrakenProcess.builder().prefix("nohup").args(script.toString()).start()) {
            k.await("a ready worker", WAIT, () -> k.stderr().contains("ready in"));
            assertTrue(k.stderr().contains("SIGHUP was ignored when kraken started"), k.stderr());
            k.signal("HUP");
            k.await("the reload", WAIT, () -> k.stderr().contains("restarting workers (generation 1)"));
            k.signal("TERM");
            assertEquals(0, k.waitFor(WAIT).exitCode());
        }
    }

    @Test
    void underNoNewPrivilegesWorkersStillSwitchUser() throws Exception {
        int port = Paths.freePort();
        Path script = dir.resolve("nnp.lua");
        Files.writeString(script, versioned("nnp").replace("PORT", "" + port));
        script.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        try (KrakenProcess k = KrakenProcess.builder().prefix("setpriv", "--no-new-privs").args(script.toString())
                .start()) {
            k.await("a ready worker", WAIT, () -> k.stderr().contains("ready in"));
            int checked = 0;
            for (ProcessHandle w : k.process().toHandle().children().toList()) {
                if (k.stderr().contains("worker " + w.pid() + " ready")) {
                    assertEquals("65534\t65534\t65534\t65534", Server.statusField((int) w.pid(), "Uid"));
                    assertEquals("1", Server.statusField((int) w.pid(), "NoNewPrivs"));
                    assertEquals("0000000000000000", Server.statusField((int) w.pid(), "CapEff"));
                    checked++;
                }
            }
            assertTrue(checked > 0, k.stderr());
            assertEquals("nnp\r\n", SocketActivationTest.exchange(new java.net.InetSocketAddress("127.0.0.1", port)));
            k.signal("TERM");
            assertEquals(0, k.waitFor(WAIT).exitCode());
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (Exception e) {
            return "";
        }
    }
}
