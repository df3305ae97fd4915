package kraken.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import kraken.compat.Lua51DifferentialTest.Output;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real pure-Lua 5.1 libraries, as Debian packages them (`make test` installs them, see the
 * Makefile's lua51libs target), run by lua5.1 and by kraken with the same arguments from the same
 * folder: their own example and test programs where the package ships them, and
 * src/test/resources/lua51libs/libraries.lua for the others. Standard output and exit status
 * must be the same.
 */
@Tag("integration")
class Lua51LibrariesTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final File CLIARGS = new File("/usr/share/doc/lua-cliargs/examples");
    private static final File DKJSON = new File("/usr/share/doc/lua-dkjson/examples");
    static final String[] MODULES = {"dkjson", "inspect", "argparse", "cliargs", "basexx", "binaryheap", "ansicolors",
        "fifo", "inifile", "markdown", "MessagePack", "moses", "mediator"};

    @BeforeAll
    static void librariesInstalled() {
        for (String m : MODULES) {
            assertTrue(new File("/usr/share/lua/5.1/" + m + ".lua").isFile(),
                    "the Lua library " + m + " is not installed: `make test` installs Debian's lua-* packages (make lua51libs)");
        }
    }

    static Stream<Arguments> programs() {
        List<Arguments> all = new ArrayList<>();
        all.add(Arguments.of(new File(Paths.root(), "kraken-master/src/test/resources/lua51libs"), List.of("libraries.lua")));
        all.add(Arguments.of(DKJSON, List.of("jsontest.lua")));
        String[] examples = CLIARGS.list((dir, name) -> name.endsWith(".lua"));
        assertTrue(examples != null && examples.length > 0, "no examples in " + CLIARGS);
        for (String e : examples) {
            all.add(Arguments.of(CLIARGS, List.of(e, "--help")));
            all.add(Arguments.of(CLIARGS, List.of(e, "out.txt", "-v", "--compress=gzip", "in1", "in2")));
            all.add(Arguments.of(CLIARGS, List.of(e, "--no-such-option")));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1} in {0}")
    @MethodSource("programs")
    @Timeout(120)
    void krakenRunsTheLibraryAsLua51Does(File dir, List<String> args) throws Exception {
        List<String> reference = new ArrayList<>(List.of("lua5.1"));
        reference.addAll(args);
        Output expected = Lua51DifferentialTest.run(reference, dir, DEADLINE);
        KrakenProcess.Result actual = KrakenProcess.builder().dir(dir).args(args.toArray(String[]::new)).run(DEADLINE);
        assertEquals(expected.stdout(), actual.stdout(), () -> args + ": stdout differs from lua5.1's\n--- lua5.1 stderr\n"
                + expected.stderr() + "--- kraken\n" + actual);
        assertEquals(expected.exitCode(), actual.exitCode(), () -> args + ": exit status differs\n--- lua5.1 stderr\n"
                + expected.stderr() + "--- kraken\n" + actual);
    }
}
