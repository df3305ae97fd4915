package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.testing.KrakenProcess;
import kraken.testing.NotifySocket;
import kraken.testing.Paths;
import kraken.testing.ProcFiles;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** docs/operations.md, sd_notify: the real kraken reporting to a real AF_UNIX datagram socket. */
@Tag("integration")
@Timeout(180)
class SystemdNotifyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private KrakenProcess start(String notifySocket, String... env) throws Exception {
        int port = Paths.freePort();
        dir.toFile().setExecutable(true, false);
        Path script = dir.resolve("server.lua");
        Files.writeString(script, Server.helloProgram().replace("PORT", Integer.toString(port)));
        script.toFile().setReadable(true, false);
        Path config = dir.resolve("kraken.lua");
        Files.writeString(config, "kraken.workers.spare = 1\n");
        KrakenProcess.Builder b = KrakenProcess.builder().env("NOTIFY_SOCKET", notifySocket)
                .args("--config", config.toString(), script.toString());
        for (int i = 0; i + 1 < env.length; i += 2) {
            b.env(env[i], env[i + 1]);
        }
        return b.start();
    }

    @Test
    void readyReloadingStoppingAndWatchdogGoToAPathSocket() throws Exception {
        try (NotifySocket systemd = new NotifySocket(dir.resolve("notify").toString());
                KrakenProcess k = start(systemd.name, "WATCHDOG_USEC", "1000000")) {
            String ready = systemd.await("READY=1", 1, WAIT);
            assertTrue(ready.contains("STATUS=serving ["), ready);
            assertTrue(k.stderr().contains("ready in"), "READY=1 only once a worker is ready: " + k.stderr());
            // WATCHDOG_USEC=1 s: a keep-alive every 0.5 s from the supervisor thread.
            systemd.await("WATCHDOG=1", 3, WAIT);
            List<String> workers = k.process().toHandle().children().map(h -> Long.toString(h.pid())).toList();
            int checked = 0;
            for (String w : workers) {
                if (!ProcFiles.runsKrakenChild(Long.parseLong(w))) {
                    continue; // a spawn before its exec has the master's environment still
                }
                // A child that ended since the listing has no environment left to leak.
                var env = ProcFiles.environmentNames(Long.parseLong(w));
                if (env.isPresent()) {
                    checked++;
                    assertFalse(env.get().contains("NOTIFY_SOCKET") || env.get().contains("WATCHDOG_USEC"),
                            w + ": " + env.get());
                }
            }
            assertTrue(checked > 0, "no worker's environment was read: " + workers);

            long before = System.nanoTime() / 1000;
            k.signal("HUP");
            String reloading = systemd.await("RELOADING=1", 1, WAIT);
            long after = System.nanoTime() / 1000;
            Matcher m = Pattern.compile("MONOTONIC_USEC=([0-9]+)").matcher(reloading);
            assertTrue(m.find(), reloading);
            long usec = Long.parseLong(m.group(1));
            // CLOCK_MONOTONIC, the clock systemd compares it with (System.nanoTime reads it too).
            assertTrue(usec >= before && usec <= after, before + " <= " + usec + " <= " + after);
            String readyAgain = systemd.await("READY=1", 2, WAIT);
            assertTrue(systemd.messages().lastIndexOf(readyAgain) > systemd.messages().indexOf(reloading), systemd.messages().toString());

            k.signal("TERM");
            systemd.await("STOPPING=1", 1, WAIT);
            assertEquals(0, k.waitFor(WAIT).exitCode());
            assertEquals(2, systemd.count("READY=1"), systemd.messages().toString());
        }
    }

    @Test
    void anAbstractNotifySocketIsReachedToo() throws Exception {
        String name = "@kraken-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NotifySocket systemd = new NotifySocket(name); KrakenProcess k = start(name)) {
            assertTrue(systemd.await("READY=1", 1, WAIT).contains("STATUS="));
            k.signal("TERM");
            systemd.await("STOPPING=1", 1, WAIT);
            assertEquals(0, k.waitFor(WAIT).exitCode());
            assertEquals(0, systemd.count("WATCHDOG=1"), "no WATCHDOG_USEC, no keep-alives");
        }
    }

    @Test
    void aNotifySocketThatIsGoneIsLoggedOnceAndServingGoesOn() throws Exception {
        String gone = dir.resolve("nobody-listens").toString();
        try (KrakenProcess k = start(gone, "WATCHDOG_USEC", "200000")) {
            k.await("a worker ready", WAIT, () -> k.stderr().contains("ready in"));
            k.await("the notify error", WAIT, () -> k.stderr().contains("systemd: cannot notify"));
            k.signal("HUP");
            k.await("the reload", WAIT, () -> k.stderr().contains("restarting workers"));
            k.await("a second worker ready", WAIT, () -> count(k.stderr(), "ready in") >= 2);
            k.signal("TERM");
            KrakenProcess.Result r = k.waitFor(WAIT);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(1, count(r.stderr(), "systemd: cannot notify"), r.stderr());
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
