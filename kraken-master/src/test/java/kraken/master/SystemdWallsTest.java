package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import kraken.testing.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The walls under the shipped kraken.service in a real systemd (docs/walls.md): Debian's
 * systemd boots as PID 1 in a container, this build is installed into it with `make install`, and
 * a socket-activated connection is served by a walled worker, then reloaded and stopped
 * (src/test/sh/systemd-walls.sh, which caches the container's root in build/systemd-root).
 */
@Tag("integration")
@Timeout(600)
class SystemdWallsTest {
    @Test
    void aWalledWorkerServesASocketActivatedConnectionUnderTheShippedUnit() throws Exception {
        File script = new File(Paths.root(), "kraken-master/src/test/sh/systemd-walls.sh");
        Process p = new ProcessBuilder("sh", script.getPath()).redirectErrorStream(true).start();
        try {
            // Reading to the end is bounded: the script ends within its own limits, and the
            // @Timeout above ends this test (the finally below then stops the script).
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
            System.out.println(out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.strip().endsWith("PASS"), out);
            assertTrue(out.contains("connection: seccomp=2 net=net:["), out);
        } finally {
            if (p.isAlive()) {
                // TERM: the script powers the container off (by pid) before it exits.
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
    }
}
