package kraken.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken scripts (syntax errors, the common runtime errors) in src/test/resources/lua51-errors are
 * run by lua5.1 and by kraken: standard error must be the same byte for byte once the
 * interpreter's name ("lua5.1: " or "kraken: ") is set aside, and so must standard output and
 * the exit status. This is the message a programmer reads when a script fails.
 */
@Tag("integration")
class Lua51ErrorsDifferentialTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    static File scripts() {
        return new File(Paths.root(), "kraken-master/src/test/resources/lua51-errors");
    }

    static Stream<String> scriptNames() {
        String[] names = scripts().list((dir, name) -> name.endsWith(".lua"));
        assertFalse(names == null || names.length == 0, "no scripts in " + scripts());
        return Arrays.stream(names).sorted();
    }

    @BeforeAll
    static void referenceInstalled() throws Exception {
        Lua51DifferentialTest.referenceInstalled();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scriptNames")
    @Timeout(120)
    void krakenReportsWhatLua51Reports(String script) throws Exception {
        Lua51DifferentialTest.Output expected = Lua51DifferentialTest.run(List.of("lua5.1", script), scripts(), DEADLINE);
        KrakenProcess.Result actual = KrakenProcess.builder().dir(scripts()).args(script).run(DEADLINE);
        String context = script + "\n--- lua5.1:\n" + expected.stderr() + "--- kraken:\n" + actual.stderr();
        assertEquals(expected.stderr().replaceAll("(?m)^lua5\\.1: ", "kraken: "), actual.stderr(), context);
        assertEquals(expected.stdout(), actual.stdout(), context);
        assertEquals(expected.exitCode(), actual.exitCode(), context);
    }
}
