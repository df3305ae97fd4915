package kraken.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import kraken.lua.module.Registry;
import kraken.lua.runtime.LuaRuntime;
import kraken.settings.Settings;
import kraken.testing.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("unit")
@Timeout(60)
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String code) throws IOException {
        Path f = dir.resolve("kraken.lua");
        Files.writeString(f, code, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void theShippedFileIsTheBuiltInDefault() throws Exception {
        Settings shipped = ConfigLoader.load(new File(Paths.root(), "conf/kraken.lua").toPath());
        Settings defaults = ConfigLoader.withDefaultUser(new Settings());
        assertEquals(defaults.encode(), shipped.encode());
        assertEquals(defaults.encode(), ConfigLoader.load(ConfigSource.builtIn()).encode());
    }

    @Test
    void fieldsAndTablesBothSetKeys() throws Exception {
        Settings s = ConfigLoader.load(file(String.join("\n",
                "kraken.mm = {tries = 3}",
                "kraken.mm.timeout = 100",
                "kraken.workers.spare = 4",
                "kraken.workers = {max = 8, spare = kraken.workers.spare}",
                "kraken.isolation = 'state'",
                "kraken.limits.memory = '128M'",
                "kraken.limits.cpu = 20",
                "kraken.limits.files = 1024",
                "kraken.user = 'daemon'",
                "kraken.grace = 2.5",
                "kraken.sandbox = true")));
        assertEquals(3, s.mmTries);
        assertEquals(0, s.mmTimeoutMin);
        assertEquals(100, s.mmTimeoutMax);
        assertEquals(false, s.mmTimeoutRange);
        assertEquals(4, s.workersSpare);
        assertEquals(8, s.workersMax);
        assertEquals(10000, s.workersConnections);
        assertEquals("state", s.isolation);
        assertEquals("128m", s.limitMemory);
        assertEquals(20L, s.limitCpu);
        assertEquals(1024L, s.limitFiles);
        assertEquals("daemon", s.user);
        assertEquals(2.5, s.grace);
        assertTrue(s.sandbox);
        assertEquals(s.encode(), Settings.decode(s.encode()).encode());
    }

    @Test
    void aTableReplacesItsGroupSoOmittedKeysAreDefaults() throws Exception {
        Settings s = ConfigLoader.load(file("kraken.mm.tries = 9\nkraken.mm = {timeout = {1, 2}}\n"));
        assertEquals(5, s.mmTries);
        assertEquals(1, s.mmTimeoutMin);
        assertEquals(2, s.mmTimeoutMax);
    }

    @Test
    void nilRestoresTheDefault() throws Exception {
        Settings s = ConfigLoader.load(file("kraken.limits.cpu = 5\nkraken.limits.cpu = nil\nkraken.user = nil\n"));
        assertNull(s.limitCpu);
        // docs/configuration.md: the default user is "nobody" for a root master, the master's own user otherwise.
        assertEquals(kraken.posix.Privileges.geteuid() == 0 ? "nobody" : null, s.user);
    }

    @Test
    void confineDefaultsToTheHostAndTakesBothWalls() throws Exception {
        Settings none = ConfigLoader.load(file(""));
        assertEquals("host", none.confineNetwork);
        assertEquals("host", none.confineFiles);
        Settings s = ConfigLoader.load(file("kraken.confine = {network = \"none\", files = \"read-only\"}\n"));
        assertEquals("none", s.confineNetwork);
        assertEquals("read-only", s.confineFiles);
        assertEquals(s.encode(), Settings.decode(s.encode()).encode());
    }

    @Test
    void workersIdleDefaultsToTenSecondsAndTakesFractions() throws Exception {
        assertEquals(10.0, ConfigLoader.load(file("")).workersIdle);
        assertEquals(0.5, ConfigLoader.load(file("kraken.workers.idle = 0.5\n")).workersIdle);
    }

    @Test
    void theConfigurationReadsWhatItSet() throws Exception {
        Settings s = ConfigLoader.load(file("kraken.workers.max = kraken.workers.spare * 10 + kraken.mm.timeout[2]\n"));
        assertEquals(520, s.workersMax);
    }

    /** Each bad file must name the file, the line and the key. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "kraken.workers.spare = 'x'|kraken.workers.spare must be an integer from 0 to kraken.workers.max (got \"x\")",
        "kraken.workers.spare = 1.5|kraken.workers.spare must be an integer",
        "kraken.workers.spare = -1|kraken.workers.spare must be",
        "kraken.workers.spare = 100|kraken.workers.spare must be an integer from 0 to kraken.workers.max (got 100; kraken.workers.max is 64)",
        "kraken.workers.max = 1|kraken.workers.max must be at least kraken.workers.spare (got 1; kraken.workers.spare is 2)",
        "kraken.workers.max = 0|kraken.workers.max must be an integer from 1 to 10000 (got 0)",
        "kraken.workers.connections = '5'|kraken.workers.connections must be an integer",
        "kraken.workers.idle = 0|kraken.workers.idle must be a number of seconds greater than 0 and at most 31536000 (got 0)",
        "kraken.workers.idle = '10'|kraken.workers.idle must be a number of seconds",
        "kraken.workers = {idle = -1}|kraken.workers.idle must be a number of seconds",
        "kraken.mm.tries = 0|kraken.mm.tries must be an integer from 1 to 100 (got 0)",
        "kraken.mm.timeout = {500, 50}|kraken.mm.timeout must be a number of milliseconds from 0 to 3600000, or a table {min, max} of two such numbers with min <= max (got {500, 50})",
        "kraken.mm.timeout = {1, 2, 3}|kraken.mm.timeout must be",
        "kraken.mm.timeout = -5|kraken.mm.timeout must be",
        "kraken.mm = 3|kraken.mm must be a table (got 3)",
        "kraken.mm = {tris = 1}|kraken.mm.tris is not a configuration key",
        "kraken.mm = {tries = true}|kraken.mm.tries must be an integer from 1 to 100 (got true)",
        "kraken.foo = 1|kraken.foo is not a configuration key",
        "kraken.limits.foo = 1|kraken.limits.foo is not a configuration key",
        "kraken[1] = 2|kraken[1] is not a configuration key",
        "kraken.isolation = 'thread'|kraken.isolation must be \"process\" or \"state\" (got \"thread\")",
        "kraken.user = 'no-such-user-kraken'|kraken.user must be the name or the uid of an existing user, or a uid range {from = UID, to = UID}",
        "kraken.user = 4000000000|kraken.user must be the name or the uid of an existing user",
        "kraken.user = 'root'|kraken.user is root (uid 0): workers run as root only when kraken.allow_root = true",
        "kraken.allow_root = 'yes'|kraken.allow_root must be true or false (got \"yes\")",
        "kraken.limits.time = 0|kraken.limits.time must be a number of seconds greater than 0",
        "kraken.limits.memory = 64|kraken.limits.memory must be a heap size from \"16m\" to \"1024g\", like \"64m\" or \"1g\" (got 64)",
        "kraken.limits.memory = '1x'|kraken.limits.memory must be a heap size",
        "kraken.limits.memory = '8m'|kraken.limits.memory must be a heap size",
        "kraken.limits.memory = '2048g'|kraken.limits.memory must be a heap size",
        "kraken.limits.cpu = 0|kraken.limits.cpu must be an integer number of seconds from 1",
        "kraken.limits.files = 10|kraken.limits.files must be an integer from 64 to 1048576, or nil (got 10)",
        "kraken.limits.line = {}|kraken.limits.line must be an integer from 1 to 1073741824 (got a table)",
        "kraken.limits.coroutines = 0|kraken.limits.coroutines must be an integer from 1 to 100000 (got 0)",
        "kraken.limits.coroutines = 1.5|kraken.limits.coroutines must be an integer from 1 to 100000 (got 1.5)",
        "kraken.limits = {coroutines = 'many'}|kraken.limits.coroutines must be an integer from 1 to 100000 (got \"many\")",
        "kraken.sandbox = 1|kraken.sandbox must be true or false (got 1)",
        "kraken.confine.network = 'off'|kraken.confine.network must be \"none\" or \"host\" (got \"off\")",
        "kraken.confine = {files = 'ro'}|kraken.confine.files must be \"read-only\" or \"host\" (got \"ro\")",
        "kraken.confine = {net = 'none'}|kraken.confine.net is not a configuration key",
        "kraken.confine = 'none'|kraken.confine must be a table (got \"none\")",
        "kraken.limits.per_source = 0|kraken.limits.per_source must be an integer from 1 to 1000000, or nil (got 0)",
        "kraken.limits.per_source = 2.5|kraken.limits.per_source must be an integer",
        "kraken.limits.per_source = '3'|kraken.limits.per_source must be an integer",
        "kraken.limits.refusal = 42|kraken.limits.refusal must be a string of at most 1024 bytes, or nil (got 42)",
        "kraken.limits.refusal = string.rep('x', 1025)|kraken.limits.refusal must be a string of at most 1024 bytes",
        "kraken.limits.processes = 5|kraken.limits.processes must be an integer from 32 to 4194304, or nil (got 5)",
        "kraken.limits.memory_total = '32m'|kraken.limits.memory_total must be a size from \"64m\" to \"1024g\", like \"512m\" or \"2g\" (got \"32m\")",
        "kraken.limits.memory_total = 512|kraken.limits.memory_total must be a size",
        "kraken.limits = {memory_total = '2t'}|kraken.limits.memory_total must be a size",
        "kraken.limits.memory_total = '64m'|kraken.limits.memory_total must be larger than kraken.limits.memory, the heap it holds with the rest of the worker (got kraken.limits.memory_total \"64m\", kraken.limits.memory \"64m\")",
        "kraken.limits.memory = '1g'|kraken.limits.memory_total must be larger than kraken.limits.memory",
        "kraken.user = {from = 200010, to = 200000}|kraken.user must be the name or the uid of an existing user, or a uid range",
        "kraken.user = {from = 0, to = 10}|kraken.user must be",
        "kraken.user = {from = 65000, to = 66000}|kraken.user must be",
        "kraken.user = {from = 200000, to = 300000}|kraken.user must be",
        "kraken.user = {from = 200000}|kraken.user must be",
        "kraken.user = {from = 200000, to = 200001, x = 1}|kraken.user must be",
        "kraken.user = {200000, 200001}|kraken.user must be",
        "kraken.grace = -1|kraken.grace must be a number of seconds from 0 to 31536000 (got -1)",
        "pcall(function() kraken.grace = -1 end)|kraken.grace must be",
        "local w = kraken.workers; w.spare = 'many'|kraken.workers.spare must be",
    })
    void aBadValueNamesFileLineAndKey(String code, String expected) throws Exception {
        Path f = file("-- a comment\n\n" + code + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void readingTheFileAgainLeavesALiveStateAlone() throws Exception {
        org.luaj.vm2.Globals script = kraken.lua.runtime.LuaRuntime.create(new Settings(), new kraken.lua.module.Registry(),
                r -> org.luaj.vm2.LuaValue.NONE, dir);
        script.load("getmetatable('').__index.shout = function(s) return s:upper() .. '!' end").call();
        ConfigLoader.load(file("kraken.grace = 1\n"));
        assertEquals("HI!", script.load("return ('hi'):shout()").call().tojstring());
    }

    @Test
    void perSourceLimitsProcessesAndAUidRangeAreRead() throws Exception {
        Settings s = ConfigLoader.load(file("kraken.limits.per_source = 3\nkraken.limits.refusal = 'busy\\r\\n'\n"
                + "kraken.limits.processes = 64\nkraken.user = {from = 200000, to = 200009}\n"));
        assertEquals(3, s.limitPerSource);
        assertEquals("busy\r\n", s.limitRefusal);
        assertEquals(64L, s.limitProcesses);
        assertEquals(200000, s.userFrom);
        assertEquals(200009, s.userTo);
        assertNull(s.user);
        assertEquals(s.encode(), Settings.decode(s.encode()).encode());
    }

    @Test
    void processesAndMemoryTotalHaveTheirDefaultsAndAreRead() throws Exception {
        Settings d = ConfigLoader.load(file("\n"));
        assertEquals(2048L, d.limitProcesses);
        assertEquals("512m", d.limitMemoryTotal);
        Settings s = ConfigLoader.load(file("kraken.limits.memory_total = '2G'\n"));
        assertEquals("2g", s.limitMemoryTotal);
        assertEquals("2g", Settings.decode(s.encode()).limitMemoryTotal);
    }

    @Test
    void aUidRangeChangedAfterItsAssignmentIsCheckedAtTheEnd() throws Exception {
        Path f = file("local r = {from = 200000, to = 200001}\nkraken.user = r\nr.to = 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ":2: kraken.user must be"), e.getMessage());
    }

    @Test
    void rootNeedsAllowRoot() throws Exception {
        assertEquals("root", ConfigLoader.load(file("kraken.allow_root = true\nkraken.user = 'root'\n")).user);
        assertEquals("0", ConfigLoader.load(file("kraken.allow_root = true\nkraken.user = 0\n")).user);
    }

    @Test
    void aChangeAfterTheAssignmentIsCheckedAtTheEnd() throws Exception {
        Path f = file("local t = {1, 2}\nkraken.mm.timeout = t\nt[1] = 9999\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ":2: kraken.mm.timeout must be"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "x = = 1|:3: unexpected symbol",
        "error('bad config')|:3: bad config",
        "local t = nil; t.x = 1|:3: ",
    })
    void syntaxAndRuntimeErrorsNameFileAndLine(String code, String expected) throws Exception {
        Path f = file("\n\n" + code + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + expected), e.getMessage());
    }

    @Test
    void fieldsThatSkipTheTableAreStillUnknownKeys() throws Exception {
        Path f = file("rawset(kraken, 'zz', 1)\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertEquals(f + ": kraken.zz is not a configuration key", e.getMessage());
    }

    @Test
    void replacingTheTableIsAnError() throws Exception {
        Path f = file("kraken = {isolation = 'state'}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ": the configuration replaced the kraken table"), e.getMessage());
    }

    @Test
    void aMissingFileIsAnError() {
        Path f = dir.resolve("absent.lua");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertEquals("cannot open " + f + ": No such file or directory", e.getMessage());
    }

    @Test
    void theOptionWinsOverTheEnvironment() throws Exception {
        Path a = file("");
        Path b = Files.writeString(dir.resolve("b.lua"), "");
        Path system = dir.resolve("system.lua");
        assertEquals(a, ConfigSource.resolve(a.toString(), b.toString(), system).file());
        assertEquals(b, ConfigSource.resolve(null, b.toString(), system).file());
        assertTrue(ConfigSource.resolve("", b.toString(), system).isBuiltIn());
        assertTrue(ConfigSource.resolve(null, "", system).isBuiltIn());
        assertEquals(a, ConfigSource.resolve(a.toString(), "", system).file());
    }

    @Test
    void theSystemFileIsUsedWhenItExistsElseTheBuiltInDefault() throws Exception {
        Path system = dir.resolve("system.lua");
        assertTrue(ConfigSource.resolve(null, null, system).isBuiltIn());
        Files.writeString(system, "");
        assertEquals(system, ConfigSource.resolve(null, null, system).file());
    }

    @Test
    void aNamedFileThatDoesNotExistIsAnError() {
        Path system = dir.resolve("system.lua");
        String missing = dir.resolve("missing.lua").toString();
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSource.resolve(missing, null, system));
        assertEquals("cannot open " + missing + " (named by --config): No such file or directory", e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigSource.resolve(null, missing, system));
        assertEquals("cannot open " + missing + " (named by KRAKEN_CONFIG): No such file or directory", e.getMessage());
    }

    @Test
    void proxyFromTakesAddressesAndBlocksAndNamesFileLineAndKeyOtherwise() throws Exception {
        Settings s = ConfigLoader.load(file("kraken.proxy = {from = {'127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'}}\n"));
        assertEquals(java.util.List.of("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"), s.proxyFrom);
        assertEquals(java.util.List.of("192.0.2.0/24"), ConfigLoader.load(file("kraken.proxy.from = {'192.0.2.0/24'}\n")).proxyFrom);
        for (String bad : new String[] {"'127.0.0.1'", "{'localhost'}", "{'10.0.0.0/33'}", "{1}", "{'1.2.3.4', x = 1}"}) {
            Path f = file("\nkraken.proxy.from = " + bad + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
            assertTrue(e.getMessage().startsWith(f + ":2: kraken.proxy.from must be a list of IPv4 or IPv6 addresses"),
                    e.getMessage());
        }
        Path f = file("kraken.proxy = {to = {}}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().contains(":1: kraken.proxy.to is not a configuration key"), e.getMessage());
    }
}
