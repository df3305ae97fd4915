package kraken.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** kraken.users (docs/configuration.md): the users the script may register. */
@Tag("unit")
@Timeout(60)
class UsersKeyTest {
    @TempDir
    Path dir;

    private Settings load(String code) throws Exception {
        Path f = dir.resolve("kraken.lua");
        Files.writeString(f, code, StandardCharsets.UTF_8);
        return ConfigLoader.load(f);
    }

    @Test
    void aListOfNamesAndUidsIsReadAndTravelsToTheScript() throws Exception {
        Settings s = load("kraken.users = {'www-data', 1001, 'daemon'}\n");
        assertEquals(List.of("www-data", "1001", "daemon"), s.users);
        assertEquals(s.encode(), Settings.decode(s.encode()).encode());
        assertTrue(s.userAllowed("www-data", 33));
        assertTrue(s.userAllowed("someone", 1001), "a uid in the list allows that uid whatever its name");
        assertFalse(s.userAllowed("nobody", 65534));
        assertFalse(s.userAllowed("root", 0));
    }

    @Test
    void aRangeAllowsItsUidsOnly() throws Exception {
        Settings s = load("kraken.users = {from = 5000, to = 5009}\n");
        assertNull(s.users);
        assertEquals(Settings.decode(s.encode()).encode(), s.encode());
        assertTrue(s.userAllowed("5000", 5000));
        assertTrue(s.userAllowed("x", 5009));
        assertFalse(s.userAllowed("x", 5010));
        assertFalse(s.userAllowed("nobody", 65534));
    }

    @Test
    void unsetAllowsEveryUserAndAnEmptyListNone() throws Exception {
        Settings any = load("kraken.grace = 1\n");
        assertNull(any.users);
        assertTrue(any.userAllowed("nobody", 65534));
        Settings none = load("kraken.users = {}\n");
        assertEquals(List.of(), Settings.decode(none.encode()).users);
        assertFalse(none.userAllowed("nobody", 65534));
    }

    @Test
    void aMalformedValueNamesTheFileTheLineAndTheKey() throws Exception {
        for (String bad : new String[] {"'nobody'", "42", "{'a b'}", "{'nobody', x = 1}", "{true}", "{-1}",
                "{1.5}", "{from = 10}", "{from = 10, to = 9}", "{from = 1, to = 2, x = 3}", "{{}}"}) {
            Path f = dir.resolve("kraken.lua");
            Files.writeString(f, "-- users\n\nkraken.users = " + bad + "\n", StandardCharsets.UTF_8);
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f), bad);
            assertTrue(e.getMessage().startsWith(f + ":3: kraken.users must be a list of user names and uids"),
                    bad + ": " + e.getMessage());
        }
    }

    @Test
    void theScriptReadsTheListAndCannotChangeIt() throws Exception {
        Settings s = load("kraken.users = {'daemon', 7}\n");
        org.luaj.vm2.Globals g = kraken.lua.runtime.LuaRuntime.create(s, new kraken.lua.module.Registry(),
                r -> org.luaj.vm2.LuaValue.NONE, dir);
        assertEquals("daemon 7", g.load("return kraken.users[1] .. ' ' .. kraken.users[2]").call().tojstring());
        org.luaj.vm2.LuaError e = assertThrows(org.luaj.vm2.LuaError.class,
                () -> g.load("kraken.users = {'root'}").call());
        assertTrue(e.getMessage().contains("kraken.users can only be set in the configuration file"), e.getMessage());
    }
}
