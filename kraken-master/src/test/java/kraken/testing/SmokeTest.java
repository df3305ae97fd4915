package kraken.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class SmokeTest {
    @Test
    void krakenRunsAStatement() throws Exception {
        KrakenProcess.Result r = KrakenProcess.run(Duration.ofSeconds(30), "-e", "print(1+1)");
        assertEquals("2\n", r.stdout(), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }
}
