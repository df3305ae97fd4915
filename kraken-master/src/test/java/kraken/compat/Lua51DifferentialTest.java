package kraken.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every script in src/test/resources/lua51 is run by the reference lua5.1 and by the real kraken
 * command, from the scripts' folder; their standard output and exit status must be the same.
 */
@Tag("integration")
class Lua51DifferentialTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    static File scripts() {
        return new File(Paths.root(), "kraken-master/src/test/resources/lua51");
    }

    static Stream<String> scriptNames() {
        String[] names = scripts().list((dir, name) -> name.endsWith(".lua") && !name.startsWith("lib_"));
        assertFalse(names == null || names.length == 0, "no scripts in " + scripts());
        return Arrays.stream(names).sorted();
    }

    @BeforeAll
    static void referenceInstalled() throws Exception {
        try {
            run(List.of("lua5.1", "-v"), Duration.ofSeconds(10));
        } catch (IOException e) {
            fail("lua5.1 is not installed: the differential tests need the reference interpreter "
                    + "(`make test` installs it; or apt-get install lua5.1)", e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scriptNames")
    @Timeout(120)
    void krakenPrintsWhatLua51Prints(String script) throws Exception {
        Output expected = run(List.of("lua5.1", script), DEADLINE);
        KrakenProcess.Result actual = KrakenProcess.builder().dir(scripts()).args(script).run(DEADLINE);
        assertEquals(expected.stdout, actual.stdout(), () -> script + ": stdout differs from lua5.1's\n--- lua5.1 stderr\n"
                + expected.stderr + "--- kraken\n" + actual);
        assertEquals(expected.exitCode, actual.exitCode(), () -> script + ": exit status differs\n--- lua5.1 stderr\n"
                + expected.stderr + "--- kraken\n" + actual);
    }

    record Output(int exitCode, String stdout, String stderr) {}

    static Output run(List<String> command, Duration deadline) throws Exception {
        return run(command, scripts(), deadline);
    }

    static Output run(List<String> command, File dir, Duration deadline) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir).start();
        try {
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread outReader = new Thread(() -> copy(p.getInputStream(), out));
            Thread errReader = new Thread(() -> copy(p.getErrorStream(), err));
            outReader.start();
            errReader.start();
            if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(command + " did not exit within " + deadline);
            }
            outReader.join(5000);
            errReader.join(5000);
            return new Output(p.exitValue(), out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
        } finally {
            p.destroyForcibly();
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            // The process is gone; what was read is kept.
        }
    }
}
