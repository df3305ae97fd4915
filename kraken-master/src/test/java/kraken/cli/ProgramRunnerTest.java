package kraken.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import kraken.lua.runtime.LuaRuntime;
import kraken.lua.module.Registry;
import kraken.settings.Settings;
import kraken.master.LaunchPlan;
import kraken.protocol.Protocol.Step;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;

/** The plan kraken.loop() hands the master: the steps run so far, the arg table, the script's folder. */
@Tag("unit")
@Timeout(30)
class ProgramRunnerTest {
    @TempDir
    Path dir;

    /** What the record held at kraken.loop(), and the plan it made. */
    private record Seen(List<Step> program, List<String> argTable, int argBase, String scriptName, LaunchPlan plan) {
        java.nio.file.Path scriptDir() {
            return plan.scriptDir();
        }

        java.util.concurrent.Callable<Settings> reloadSettings() {
            return plan.reloadSettings();
        }
    }

    private final List<Seen> plans = new ArrayList<>();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ProgramRecord record = new ProgramRecord(Settings::new);

    private ProgramRunner runner(String stdin) {
        Globals g = LuaRuntime.create(new Settings(), new Registry(), r -> {
            plans.add(new Seen(record.steps(), record.argTable(), record.argBase(), record.scriptName(),
                    record.plan(new byte[0])));
            return LuaValue.TRUE;
        }, dir);
        g.STDIN = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.ISO_8859_1));
        return new ProgramRunner(g, record, new ErrorReport(new PrintStream(err, true, StandardCharsets.UTF_8)),
                g.STDIN);
    }

    @Test
    void thePlanHoldsEveryStepUpToLoop() throws Exception {
        Path script = Files.writeString(dir.resolve("s.lua"), "kraken.loop()\n");
        Files.writeString(dir.resolve("m.lua"), "return 1\n");
        ProgramRunner run = runner("");
        run.globals().get("package").set("path", dir + "/?.lua");
        Invocation inv = Invocation.parse("-e", "x = 1", "-l", "m", script.toString(), "a", "b");
        assertTrue(run.statement(inv.actions().get(0).text()));
        assertTrue(run.library(inv.actions().get(1).text()));
        assertTrue(run.script(inv));
        Seen plan = plans.get(0);
        assertEquals(List.of(new Step(Step.Kind.STATEMENT, "x = 1"), new Step(Step.Kind.LIBRARY, "m"),
                new Step(Step.Kind.SCRIPT_FILE, script.toString())), plan.program());
        assertEquals(List.of("kraken", "-e", "x = 1", "-l", "m", script.toString(), "a", "b"), plan.argTable());
        assertEquals(-5, plan.argBase());
        assertEquals(script.toString(), plan.scriptName());
        assertEquals(dir.toAbsolutePath(), plan.scriptDir());
        assertEquals(new Settings().encode(), plan.reloadSettings().call().encode());
    }

    @Test
    void aScriptFromStdinIsPassedAsItsBytes() throws Exception {
        String source = "s = '\u00e9\u00ff' kraken.loop()\n"; // two bytes above 127, one char each
        ProgramRunner run = runner(source);
        assertTrue(run.script(Invocation.parse("-", "z")));
        Seen plan = plans.get(0);
        assertEquals(List.of(new Step(Step.Kind.SCRIPT_SOURCE, source)), plan.program());
        assertEquals(List.of("kraken", "-", "z"), plan.argTable());
        assertEquals(-1, plan.argBase());
        assertNull(plan.scriptDir());
        assertEquals(2, run.globals().get("s").checkstring().length());
    }

    @Test
    void aFailedStepIsNotReplayed() throws Exception {
        ProgramRunner run = runner("");
        assertFalse(run.statement("error('no')"));
        assertTrue(run.statement("kraken.loop()"));
        assertEquals(List.of(new Step(Step.Kind.STATEMENT, "kraken.loop()")), plans.get(0).program());
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("kraken: (command line):1: no\n"), err.toString());
    }

    @Test
    void theTracebackShowsTheFramesWhenCallsAreTracked() {
        ProgramRunner run = runner("");
        if (run.globals().debuglib == null) {
            run.globals().load(new org.luaj.vm2.lib.DebugLib());
        }
        LuaValue before = run.globals().running.errorfunc;
        assertFalse(run.statement("local function inner() error('deep') end\nlocal function outer() inner() end\nouter()"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("kraken: (command line):1: deep\nstack traceback:\n"), text);
        assertTrue(text.contains("\t(command line):1: in function 'inner'\n\t(command line):2: in function 'outer'\n"
                + "\t(command line):3: in main chunk\n\t[C]: ?\n"), text);
        assertSame(before, run.globals().running.errorfunc);
    }

    @Test
    void withoutCallTrackingTheTracebackIsTheOutermostFrame() {
        ProgramRunner run = runner("");
        run.globals().debuglib = null;
        run.globals().running.errorfunc = null;
        assertFalse(run.statement("error('flat')"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("kraken: ") && text.endsWith("flat\nstack traceback:\n\t[C]: ?\n"), text);
    }

    @Test
    void withoutAScriptThereIsNoArgTable() throws Exception {
        ProgramRunner run = runner("");
        assertTrue(run.statement("kraken.loop()"));
        assertEquals(List.of(), plans.get(0).argTable());
        assertNull(plans.get(0).scriptName());
    }
}
