package kraken.lua;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.StringJoiner;
import jnr.constants.Constant;
import jnr.constants.platform.AddressFamily;
import jnr.constants.platform.Sock;
import jnr.constants.platform.SocketOption;
import kraken.posix.Privileges;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kraken module and socket objects, tested by Lua scripts (src/test/resources/api) run by the real kraken command. */
@Tag("integration")
@Timeout(120)
class ApiScriptsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private static File scripts() throws URISyntaxException {
        return new File(ApiScriptsTest.class.getResource("/api/check.lua").toURI()).getParentFile();
    }

    private static KrakenProcess.Builder script(String name) throws URISyntaxException {
        // From the scripts' folder, so that require "check" finds check.lua through "./?.lua".
        return KrakenProcess.builder().dir(scripts()).args(name);
    }

    private static void assertPasses(KrakenProcess.Result r) {
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().endsWith("ok\n"), r.toString());
    }

    /**
     * sockets.lua: every method and failure convention; binary.lua: every byte value both ways;
     * ipv6.lua: ::1 and "*" as "::"; bad_arguments.lua: every wrong argument type.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sockets.lua", "binary.lua", "ipv6.lua", "bad_arguments.lua"})
    void selfCheckingScript(String name) throws Exception {
        assertPasses(script(name).run(DEADLINE));
    }

    @Test
    void registrationFunctions() throws Exception {
        int uid = Privileges.getresids()[1];
        Privileges.User me = Privileges.getpwuid(uid);
        assertPasses(script("register.lua").env("KRAKEN_TEST_UID", Integer.toString(uid))
                .env("KRAKEN_TEST_USER", me == null ? Integer.toString(uid) : me.name()).run(DEADLINE));
    }

    @Test
    void constantsAreThePlatformsNumbers() throws Exception {
        StringJoiner expect = new StringJoiner(" ");
        addConstants(expect, "AF", AddressFamily.values());
        addConstants(expect, "SOCK", Sock.values());
        addConstants(expect, "SO", SocketOption.values());
        assertPasses(script("constants.lua").env("KRAKEN_TEST_EXPECT", expect.toString()).run(DEADLINE));
    }

    private static void addConstants(StringJoiner out, String table, Enum<?>[] values) {
        for (Enum<?> e : values) {
            Constant c = (Constant) e;
            if (c.defined() && e.name().startsWith(table + "_")) {
                out.add(table + "." + e.name().substring(table.length() + 1) + "=" + c.intValue());
            }
        }
    }

    @Test
    void theScriptAsAServerForAJavaClient() throws Exception {
        int port = Paths.freePort();
        try (KrakenProcess k = script("server.lua").env("KRAKEN_TEST_PORT", Integer.toString(port)).start()) {
            Socket[] client = new Socket[1];
            k.await("the script to listen on " + port, Duration.ofSeconds(60), () -> {
                try {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    client[0] = s;
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
            try (Socket s = client[0]) {
                s.setSoTimeout(30_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                assertEquals('>', in.read());
                out.write("hi\r\n".getBytes(StandardCharsets.ISO_8859_1));
                byte[] reply = new byte[7];
                in.readFully(reply);
                assertEquals("Ok hi\r\n", new String(reply, StandardCharsets.ISO_8859_1));
                byte[] all = new byte[256];
                for (int i = 0; i < 256; i++) {
                    all[i] = (byte) i;
                }
                out.write(all);
                byte[] echo = new byte[256];
                in.readFully(echo);
                assertArrayEquals(all, echo);
                out.write("bye".getBytes(StandardCharsets.ISO_8859_1));
                s.shutdownOutput();
                KrakenProcess.Result r = k.waitFor(DEADLINE);
                assertPasses(r);
                assertTrue(r.stdout().startsWith("connection from 127.0.0.1:" + s.getLocalPort() + "\n"), r.toString());
            }
        }
    }
}
