package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import kraken.posix.Privileges;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/configuration.md: under a root master whose configuration names no user, kraken.user reads
 * "nobody", in the master's run of the script and in the worker's, which has dropped root by then.
 */
@Tag("integration")
@Timeout(120)
class DefaultUserTest {
    @TempDir
    Path dir;

    @Test
    void aRootMastersScriptReadsNobodyInTheMasterAndInTheWorker() throws Exception {
        assumeTrue(Privileges.geteuid() == 0, "the default is \"nobody\" only for a root master");
        String script = """
                local seen = tostring(kraken.user)
                local app = coroutine.create(function (skt, addr)
                  skt:rawsend(seen .. " " .. tostring(kraken.user))
                end)
                assert(kraken.registerApplication(app))
                assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
                assert(kraken.loop())
                """;
        try (Server s = Server.start(dir, script, "").awaitReady(1)) {
            assertEquals("nobody nobody", s.exchange(""));
        }
    }
}
