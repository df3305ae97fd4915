package kraken.lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import kraken.testing.KrakenProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reading jnr-constants costs a fresh JVM about 25 ms (notes/kraken-lib.md): a script that never
 * touches kraken.AF, SOCK or SO must not load it, and one that does must find the numbers.
 */
@Tag("integration")
@Timeout(120)
class LazyConstantsTest {
    private static KrakenProcess.Result run(String statement) throws Exception {
        return KrakenProcess.builder().jvmArg("-verbose:class").args("-e", statement).run(Duration.ofSeconds(60));
    }

    @Test
    void jnrConstantsLoadOnlyWhenAScriptReadsTheTables() throws Exception {
        KrakenProcess.Result idle = run("local s = kraken.socket() s:close() print('done')");
        assertEquals(0, idle.exitCode(), idle.toString());
        assertTrue(idle.stdout().contains("done"), idle.toString());
        assertTrue(idle.stdout().contains("kraken.lua.module.KrakenLib"), "-verbose:class lists loaded classes");
        assertFalse(idle.stdout().contains("jnr.constants"), "jnr-constants loaded by a script that never read it");

        KrakenProcess.Result used = run("print('INET=' .. kraken.AF.INET)");
        assertEquals(0, used.exitCode(), used.toString());
        assertTrue(used.stdout().contains("jnr.constants.platform.AddressFamily"), used.toString());
        assertTrue(used.stdout().contains("INET=" + jnr.constants.platform.AddressFamily.AF_INET.intValue()),
                used.toString());
    }
}
