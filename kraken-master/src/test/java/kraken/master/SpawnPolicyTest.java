package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SpawnPolicyTest {
    private static final long MS = 1_000_000L;

    @Test
    void refusalsWaitWithinTheTimeoutThenAbandonAfterTries() {
        Settings s = new Settings();
        s.mmTries = 3;
        s.mmTimeoutMin = 50;
        s.mmTimeoutMax = 80;
        SpawnPolicy p = new SpawnPolicy(s);
        long now = 0;
        for (int i = 0; i < 2; i++) {
            long wait = p.onRefused(now);
            assertTrue(wait >= 50 && wait <= 80, "wait " + wait);
            assertFalse(p.mayAttempt(now + wait * MS - 1));
            assertTrue(p.mayAttempt(now + wait * MS));
            now += wait * MS;
        }
        assertEquals(-1, p.onRefused(now), "the third refusal of three abandons the spawn");
        assertFalse(p.mayAttempt(now + 999 * MS), "abandoned: no new attempt at once");
        assertTrue(p.mayAttempt(now + 1000 * MS));
        assertEquals(0, p.refusalsSoFar());
        assertEquals(3, p.refusedTotal());
    }

    @Test
    void aNumberTimeoutIsTheMaximumOfAUniformWait() {
        Settings s = new Settings();
        s.mmTries = 1000;
        s.mmTimeoutMin = 0;
        s.mmTimeoutMax = 10;
        SpawnPolicy p = new SpawnPolicy(s);
        boolean sawZero = false;
        boolean sawTen = false;
        for (int i = 0; i < 900; i++) {
            long w = p.onRefused(0);
            assertTrue(w >= 0 && w <= 10);
            sawZero |= w == 0;
            sawTen |= w == 10;
        }
        assertTrue(sawZero && sawTen, "both ends of [0, timeout] are drawn");
    }

    @Test
    void bootFailuresBackOffExponentiallyUpToAMinuteAndReadinessResets() {
        SpawnPolicy p = new SpawnPolicy(new Settings());
        assertEquals(1000, p.onBootFailure(0));
        assertEquals(2000, p.onBootFailure(0));
        assertEquals(4000, p.onBootFailure(0));
        for (int i = 0; i < 10; i++) {
            p.onBootFailure(0);
        }
        assertEquals(60_000, p.onBootFailure(0));
        p.onReady();
        assertEquals(1000, p.onBootFailure(0));
        assertEquals(15, p.bootFailedTotal());
    }
}
