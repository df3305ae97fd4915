package kraken.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("unit")
@Timeout(10)
class InvocationTest {
    @Test
    void statementsAndLibrariesKeepTheirOrder() throws Exception {
        Invocation inv = Invocation.parse("-e", "a=1", "-l", "m", "-eb=2", "-lm2", "s.lua", "x", "-e", "y");
        assertEquals(List.of(new Invocation.Action(false, "a=1"), new Invocation.Action(true, "m"),
                new Invocation.Action(false, "b=2"), new Invocation.Action(true, "m2")), inv.actions());
        assertEquals(6, inv.script());
        assertEquals("s.lua", inv.scriptName());
        assertEquals(List.of("x", "-e", "y"), inv.scriptArgs());
        assertFalse(inv.scriptFromStdin());
    }

    @Test
    void noScript() throws Exception {
        Invocation inv = Invocation.parse("-e", "print(1)");
        assertFalse(inv.hasScript());
        assertNull(inv.scriptName());
        assertEquals(List.of(), inv.scriptArgs());
    }

    @Test
    void dashIsStandardInputAndStopsOptions() throws Exception {
        Invocation inv = Invocation.parse("-", "-e", "x");
        assertTrue(inv.scriptFromStdin());
        assertEquals(0, inv.script());
        assertEquals(List.of("-e", "x"), inv.scriptArgs());
    }

    @Test
    void doubleDashStopsOptionsAndMakesDashAFileName() throws Exception {
        Invocation inv = Invocation.parse("--", "-v");
        assertEquals(1, inv.script());
        assertEquals("-v", inv.scriptName());
        assertFalse(inv.version());
        inv = Invocation.parse("--", "-");
        assertFalse(inv.scriptFromStdin());
        assertFalse(Invocation.parse("--").hasScript());
    }

    @Test
    void interactiveImpliesVersion() throws Exception {
        Invocation inv = Invocation.parse("-i");
        assertTrue(inv.interactive());
        assertTrue(inv.version());
        assertFalse(Invocation.parse("-v").interactive());
    }

    @Test
    void krakenOptions() throws Exception {
        Invocation inv = Invocation.parse("--config", "/x.lua", "--check", "s.lua", "--config", "y");
        assertEquals("/x.lua", inv.config());
        assertTrue(inv.check());
        assertEquals(List.of("--config", "y"), inv.scriptArgs());
        assertEquals("", Invocation.parse("--config=", "s.lua").config());
        assertEquals("b", Invocation.parse("--config", "a", "--config=b").config());
        assertTrue(Invocation.parse("-h").help());
        assertTrue(Invocation.parse("--help").help());
    }

    @Test
    void badOptionsAreErrors() {
        assertThrows(ParseException.class, () -> Invocation.parse("-x"));
        assertThrows(ParseException.class, () -> Invocation.parse("--bogus"));
        assertThrows(ParseException.class, () -> Invocation.parse("-e"));
        assertThrows(ParseException.class, () -> Invocation.parse("--config"));
        assertThrows(ParseException.class, () -> Invocation.parse("--conf", "x"));
    }

    @Test
    void valuesKeepTheirQuotes() throws Exception {
        assertEquals("\"quoted\"", Invocation.parse("-e", "\"quoted\"").actions().get(0).text());
        assertEquals("-1", Invocation.parse("-e", "-1").actions().get(0).text());
        for (String v : new String[] {"--", "-i", "--check", "-e", "-l", "--config", "-"}) {
            Invocation inv = Invocation.parse("-e", v, "-l", v, "--config", v, "s.lua");
            assertEquals(List.of(new Invocation.Action(false, v), new Invocation.Action(true, v)), inv.actions());
            assertEquals(v, inv.config());
            assertFalse(inv.interactive() || inv.check());
            assertEquals(6, inv.script());
        }
    }
}
