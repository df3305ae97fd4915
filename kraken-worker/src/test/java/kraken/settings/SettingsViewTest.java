package kraken.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import kraken.lua.runtime.LuaRuntime;
import kraken.lua.module.Registry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

@Tag("unit")
@Timeout(30)
class SettingsViewTest {
    private static Globals state(Settings s) {
        return LuaRuntime.create(s, new Registry(), r -> LuaValue.NONE, Path.of("."));
    }

    private static String eval(Globals g, String expr) {
        return g.load("return tostring(" + expr + ")", "=test").call().tojstring();
    }

    @Test
    void everyKeyReadsItsValue() {
        Settings s = new Settings();
        s.mmTries = 7;
        s.mmTimeoutRange = false;
        s.mmTimeoutMax = 250;
        s.isolation = "state";
        s.workersSpare = 3;
        s.workersMax = 9;
        s.workersConnections = 12;
        s.user = "daemon";
        s.allowRoot = true;
        s.limitTime = 1.5;
        s.limitMemory = "1g";
        s.limitCpu = 10L;
        s.limitFiles = 256L;
        s.limitLine = 80;
        s.sandbox = true;
        s.grace = 4;
        Globals g = state(s);
        assertEquals("7", eval(g, "kraken.mm.tries"));
        assertEquals("250", eval(g, "kraken.mm.timeout"));
        assertEquals("state", eval(g, "kraken.isolation"));
        assertEquals("3 9 12", g.load("return kraken.workers.spare .. ' ' .. kraken.workers.max .. ' '"
                + " .. kraken.workers.connections").call().tojstring());
        assertEquals("daemon", eval(g, "kraken.user"));
        assertEquals("true", eval(g, "kraken.allow_root"));
        assertEquals("1.5", eval(g, "kraken.limits.time"));
        assertEquals("1g", eval(g, "kraken.limits.memory"));
        assertEquals("10", eval(g, "kraken.limits.cpu"));
        assertEquals("256", eval(g, "kraken.limits.files"));
        assertEquals("80", eval(g, "kraken.limits.line"));
        assertEquals("true", eval(g, "kraken.sandbox"));
        assertEquals("4", eval(g, "kraken.grace"));
    }

    @Test
    void defaultsReadAsTheSpecSays() {
        Globals g = state(new Settings());
        assertEquals("50 500", g.load("return kraken.mm.timeout[1] .. ' ' .. kraken.mm.timeout[2]").call().tojstring());
        assertEquals("nil", eval(g, "kraken.user"));
        assertEquals("nil", eval(g, "kraken.limits.cpu"));
        assertEquals("64m", eval(g, "kraken.limits.memory"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "kraken.mm = {}|mm",
        "kraken.mm.tries = 1|mm",
        "kraken.mm.timeout[1] = 0|mm",
        "kraken.isolation = 'state'|isolation",
        "kraken.workers.spare = 0|workers",
        "kraken.user = 'root'|user",
        "kraken.user = nil|user",
        "kraken.limits.cpu = 1|limits",
        "kraken.limits = nil|limits",
        "kraken.sandbox = false|sandbox",
        "kraken.grace = 1|grace",
        "kraken.allow_root = true|allow_root",
    })
    void assignmentsToConfigurationKeysRaise(String code, String key) {
        Globals g = state(new Settings());
        LuaError e = assertThrows(LuaError.class, () -> g.load(code, "=test").call());
        assertTrue(e.getMessage().contains("kraken." + key + " can only be set in the configuration file"),
                e.getMessage());
    }

    @Test
    void pcallSeesTheMessage() {
        Globals g = state(new Settings());
        String m = g.load("local ok, m = pcall(function() kraken.workers.max = 1 end); return m").call().tojstring();
        assertTrue(m.endsWith("kraken.workers can only be set in the configuration file"), m);
        assertEquals("64", eval(g, "kraken.workers.max"));
    }

    @Test
    void otherFieldsStayAssignable() {
        Globals g = state(new Settings());
        assertEquals("42", g.load("kraken.mine = 42; return kraken.mine").call().tojstring());
    }

    @Test
    void theMetatableIsProtected() {
        Globals g = state(new Settings());
        assertEquals("false", eval(g, "getmetatable(kraken)"));
        LuaError e = assertThrows(LuaError.class, () -> g.load("setmetatable(kraken, nil)", "=test").call());
        assertTrue(e.getMessage().contains("protected metatable"), e.getMessage());
    }

    @Test
    void keysAndTopLevelNamesAgree() {
        assertEquals(27, SettingsView.KEYS.size());
        assertEquals(java.util.Set.of("mm", "isolation", "workers", "user", "users", "allow_root", "limits", "sandbox", "grace",
                "status", "log", "proxy", "confine"),
                SettingsView.TOP_LEVEL);
    }

    @Test
    void theScriptReadsConfineAndCannotChangeIt() {
        Settings s = new Settings();
        s.confineNetwork = "none";
        Globals g = state(s);
        assertEquals("none host", eval(g, "kraken.confine.network .. ' ' .. kraken.confine.files"));
        LuaError e = assertThrows(LuaError.class, () -> g.load("kraken.confine.network = 'host'", "=test").call());
        assertTrue(e.getMessage().contains("kraken.confine can only be set in the configuration file"), e.getMessage());
    }

    @Test
    void theStatusTableIsReadOnlyAndNilWhenUnset() {
        assertEquals("nil", eval(state(new Settings()), "kraken.status"));
        Settings s = new Settings();
        s.statusHost = "127.0.0.1";
        s.statusPort = 9100;
        s.logConnections = false;
        Globals g = state(s);
        assertEquals("9100", eval(g, "kraken.status.port"));
        assertEquals("false", eval(g, "kraken.log.connections"));
        LuaError e = assertThrows(LuaError.class, () -> g.load("kraken.status.port = 1", "=test").call());
        assertTrue(e.getMessage().contains("kraken.status can only be set in the configuration file"), e.getMessage());
        assertEquals("9100", eval(g, "kraken.status.port"));
        LuaError e2 = assertThrows(LuaError.class, () -> g.load("kraken.log = {}", "=test").call());
        assertTrue(e2.getMessage().contains("kraken.log can only be set in the configuration file"), e2.getMessage());
        Settings p = new Settings();
        p.statusPath = "/run/k.status";
        assertEquals("/run/k.status", eval(state(p), "kraken.status.path"));
    }
}
