package kraken.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import kraken.lua.module.Registry;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.lib.jse.JsePlatform;

@Tag("unit")
@Timeout(10)
class CheckLoopTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Integer> ended = new ArrayList<>();

    private CheckLoop check(Settings s) {
        return new CheckLoop(s, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), ended::add);
    }

    private static LuaThread coroutine() {
        Globals g = JsePlatform.standardGlobals();
        return new LuaThread(g, g.load("return 1"));
    }

    @Test
    void printsAddressesApplicationAndUserThenEndsWithZero() {
        Registry r = new Registry();
        r.addAddress(new Registry.Address("*", 8001));
        r.addAddress(new Registry.Address("::1", 8002));
        LuaThread app = coroutine();
        r.setApplication(app);
        r.setUser("www-data");
        check(new Settings()).loop(r);
        assertEquals("address *:8001\naddress [::1]:8002\napplication " + app.tojstring() + "\nuser www-data\n",
                out.toString(StandardCharsets.UTF_8));
        assertEquals(List.of(0), ended);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theConfiguredUserIsShownWhenTheScriptNamesNone() {
        Registry r = new Registry();
        r.addAddress(new Registry.Address("127.0.0.1", 1));
        r.setApplication(coroutine());
        Settings s = new Settings();
        s.user = "daemon";
        check(s).loop(r);
        assertTrue(out.toString(StandardCharsets.UTF_8).endsWith("\nuser daemon (kraken.user)\n"), out.toString());
    }

    @Test
    void nothingToServeEndsWithOne() {
        check(new Settings()).loop(new Registry());
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("application none\nuser "), out.toString());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--check: no application registered"), err.toString());
        assertEquals(List.of(1), ended);
    }
}
