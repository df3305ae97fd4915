package kraken.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** kraken.status and kraken.log.connections (docs/configuration.md) in the configuration file. */
@Tag("unit")
@Timeout(60)
class StatusConfigTest {
    @TempDir
    Path dir;

    private Path file(String code) throws IOException {
        Path f = dir.resolve("kraken.lua");
        Files.writeString(f, code, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void unsetByDefault() throws Exception {
        Settings s = ConfigLoader.load(file(""));
        assertNull(s.statusHost);
        assertNull(s.statusPort);
        assertNull(s.statusPath);
        assertTrue(s.logConnections);
    }

    @Test
    void aTcpAddressAPathAndTheLogSwitch() throws Exception {
        Settings s = ConfigLoader.load(file("kraken.status = {host = '127.0.0.1', port = 9100}\n"
                + "kraken.log.connections = false\n"));
        assertEquals("127.0.0.1", s.statusHost);
        assertEquals(9100, s.statusPort);
        assertNull(s.statusPath);
        assertFalse(s.logConnections);
        assertEquals(s.encode(), Settings.decode(s.encode()).encode());
        Settings p = ConfigLoader.load(file("kraken.status = {path = '/run/kraken.status'}\nkraken.log = {}\n"));
        assertEquals("/run/kraken.status", p.statusPath);
        assertNull(p.statusHost);
        assertTrue(p.logConnections);
        assertEquals(p.encode(), Settings.decode(p.encode()).encode());
    }

    @Test
    void aFieldChangedAfterTheAssignmentCountsAndIsCheckedAgain() throws Exception {
        Settings s = ConfigLoader.load(file("kraken.status = {host = '::1', port = 1}\nkraken.status.port = 9200\n"));
        assertEquals(9200, s.statusPort);
        Path f = file("kraken.status = {host = 'localhost', port = 9100}\nkraken.status.port = 0\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ":1: kraken.status must be"), e.getMessage());
    }

    /** Each bad value names the file, the line and the key, and shows what was given. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "kraken.status = 9100|kraken.status must be {host = \"127.0.0.1\", port = 9100} (a host name or address and a port from 1 to 65535) or {path = \"/run/kraken.status\"} (an absolute path of at most 107 bytes), and nothing else (got 9100)",
        "kraken.status = {host = '127.0.0.1'}|(got {host = \"127.0.0.1\"})",
        "kraken.status = {port = 9100}|(got {port = 9100})",
        "kraken.status = {host = '127.0.0.1', port = 70000}|(got {host = \"127.0.0.1\", port = 70000})",
        "kraken.status = {host = '127.0.0.1', port = '9100'}|(got {host = \"127.0.0.1\", port = \"9100\"})",
        "kraken.status = {host = '', port = 9100}|kraken.status must be",
        "kraken.status = {host = 'a b', port = 9100}|kraken.status must be",
        "kraken.status = {path = 'relative.sock'}|(got {path = \"relative.sock\"})",
        "kraken.status = {path = '/' .. string.rep('x', 107)}|kraken.status must be",
        "kraken.status = {path = '/run/k', host = 'x', port = 1}|kraken.status must be",
        "kraken.status = {host = 'x', port = 1, tls = true}|(got {host = \"x\", port = 1, tls = true})",
        "kraken.status = 'localhost:9100'|(got \"localhost:9100\")",
        "kraken.log.connections = 'no'|kraken.log.connections must be true or false (got \"no\")",
        "kraken.log = {lines = false}|kraken.log.lines is not a configuration key",
        "kraken.log = false|kraken.log must be a table (got false)",
    })
    void aBadValueNamesFileLineAndKey(String code, String expected) throws Exception {
        Path f = file("-- status\n\n" + code + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aPathOf107BytesIsAccepted() throws Exception {
        String path = "/" + "x".repeat(106);
        assertEquals(path, ConfigLoader.load(file("kraken.status = {path = '" + path + "'}\n")).statusPath);
    }
}
