package kraken.lua.sockets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import kraken.lua.module.Registry;
import kraken.lua.runtime.LuaRuntime;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.Sockets;
import kraken.settings.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** Socket objects driven from Lua against real Java sockets on the loopback interface. */
@Tag("integration")
@Timeout(30)
class LuaSocketTest {
    private final Settings settings = new Settings();
    private Globals g;
    private Socket peer;

    @AfterEach
    void closePeer() throws IOException {
        if (peer != null) {
            peer.close();
        }
    }

    private Varargs lua(String code) {
        if (g == null) {
            g = LuaRuntime.create(settings, new Registry(), r -> LuaValue.NONE, null);
        }
        return g.load(code, "=test").invoke();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(LuaValue v) {
        LuaString s = v.checkstring();
        return new String(s.m_bytes, s.m_offset, s.m_length, StandardCharsets.ISO_8859_1);
    }

    private static void assertFailure(String message, Varargs r) {
        assertTrue(r.arg1().isnil(), () -> "expected nil, " + message + "; got " + r);
        assertEquals(message, r.arg(2).tojstring());
    }

    /** A Lua server socket on 127.0.0.1 (global srv), a Java client connected to it, and the accepted socket (global c). */
    private void connectJavaClient() throws IOException {
        int port = lua("srv = kraken.socket() assert(srv:bind{host = '127.0.0.1', port = 0})"
                + " assert(srv:listen()) return srv:getport()").arg1().toint();
        peer = new Socket("127.0.0.1", port);
        Varargs r = lua("local from c, from = srv:accept() return c, from.host, from.port");
        assertTrue(r.arg1().isuserdata(), r.toString());
        assertEquals("127.0.0.1", r.arg(2).tojstring());
        assertEquals(peer.getLocalPort(), r.arg(3).toint());
    }

    private void send(String s) throws IOException {
        OutputStream out = peer.getOutputStream();
        out.write(bytes(s));
        out.flush();
    }

    private byte[] read(int n) throws IOException {
        byte[] b = new byte[n];
        new DataInputStream(peer.getInputStream()).readFully(b);
        return b;
    }

    @Test
    void everyByteValueCrossesInBothDirections() throws IOException {
        connectJavaClient();
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        peer.getOutputStream().write(all);
        LuaValue got = lua("local t = {} local n = 0 while n < 256 do local s = assert(c:rawrecv(256))"
                + " n = n + #s t[#t + 1] = s end return table.concat(t)").arg1();
        assertArrayEquals(all, bytes(text(got)));

        lua("local t = {} for i = 0, 255 do t[#t + 1] = string.char(i) end all = table.concat(t)"
                + " assert(c:rawsend(all) == 256)");
        assertArrayEquals(all, read(256));

        assertEquals(258, lua("return c:send(all)").arg1().toint());
        byte[] line = read(258);
        assertArrayEquals(all, java.util.Arrays.copyOf(line, 256));
        assertEquals("\r\n", new String(line, 256, 2, StandardCharsets.ISO_8859_1));

        byte[] noNewline = new byte[255];
        for (int i = 0, j = 0; i < 256; i++) {
            if (i != '\n') {
                noNewline[j++] = (byte) i;
            }
        }
        peer.getOutputStream().write(noNewline);
        peer.getOutputStream().write('\n');
        assertArrayEquals(noNewline, bytes(text(lua("return c:receive()").arg1())));
        for (int b = 0; b < 256; b++) {
            assertEquals(1, lua("return c:rawsend(" + b + ")").arg1().toint());
            assertEquals(b, read(1)[0] & 0xff);
        }
    }

    @Test
    void receiveAndRawrecvShareOneBuffer() throws IOException {
        connectJavaClient();
        send("first\r\nsecond\nthird");
        assertEquals("first", text(lua("return c:receive()").arg1()));
        assertEquals("sec", text(lua("return c:rawrecv(3)").arg1()));
        assertEquals("ond", text(lua("return c:receive()").arg1()));
        assertEquals("third", text(lua("return c:rawrecv(100)").arg1()));
    }

    @Test
    void aTimeoutLosesNoBytes() throws IOException {
        connectJavaClient();
        assertEquals(LuaValue.TRUE, lua("return c:settimeout(0.2)").arg1());
        send("par");
        assertFailure("timeout", lua("return c:receive()"));
        send("tial\nnext");
        assertEquals("partial", text(lua("return c:receive()").arg1()));
        assertEquals("next", text(lua("return c:rawrecv(10)").arg1()));
        assertFailure("timeout", lua("return c:rawrecv(10)"));
        lua("srv:settimeout(0.1)");
        assertFailure("timeout", lua("return srv:accept()"));
    }

    @Test
    void theLastLineComesBeforeClosed() throws IOException {
        connectJavaClient();
        send("a\nlast");
        peer.shutdownOutput();
        assertEquals("a", text(lua("return c:receive()").arg1()));
        assertEquals("last", text(lua("return c:receive()").arg1()));
        assertFailure("closed", lua("return c:receive()"));
        assertFailure("closed", lua("return c:rawrecv(1)"));
        peer.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Varargs r;
        do {
            r = lua("return c:rawsend('x')");
        } while (!r.arg1().isnil() && System.nanoTime() < deadline);
        assertFailure("closed", r);
    }

    @Test
    void aLineOverTheLimitIsDropped() throws IOException {
        settings.limitLine = 16;
        connectJavaClient();
        send("x".repeat(17) + "\n" + "y".repeat(16) + "\r\n");
        assertFailure("line too long", lua("return c:receive()"));
        assertEquals("y".repeat(16), text(lua("return c:receive()").arg1()));
        send("z".repeat(40));
        assertFailure("line too long", lua("return c:receive()"));
        send("tail\n");
        assertEquals("tail", text(lua("return c:receive()").arg1()));
    }

    @Test
    void sendSendsEverythingWhileThePeerReads() throws Exception {
        connectJavaClient();
        int size = 4 << 20;
        CompletableFuture<byte[]> reading = CompletableFuture.supplyAsync(() -> {
            try {
                return read(size + 2);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(size + 2, lua("return c:send(string.rep('k', " + size + "))").arg1().toint());
        byte[] got = reading.get(20, TimeUnit.SECONDS);
        assertEquals('k', got[size - 1]);
        assertEquals('\n', got[size + 1]);
    }

    @Test
    void closeIsHarmlessTwiceAndEveryOtherMethodThenSaysClosed() throws IOException {
        connectJavaClient();
        assertEquals(LuaValue.TRUE, lua("return c:close()").arg1());
        assertEquals(LuaValue.TRUE, lua("return c:close()").arg1());
        assertEquals(-1, peer.getInputStream().read(), "the peer sees the end of the stream");
        for (String call : new String[] {"accept()", "bind{host = '*', port = 0}", "connect('127.0.0.1', 1)",
            "getoption(kraken.SO.KEEPALIVE)", "setoption(kraken.SO.KEEPALIVE, true)", "getip()", "getport()",
            "gettimeout()", "settimeout(1)", "listen()", "rawrecv(1)", "rawsend('x')", "rawsend(1)", "receive()",
            "send('x')"}) {
            assertFailure("closed", lua("return c:" + call));
        }
    }

    @Test
    void failuresCarryTheOperatingSystemsText() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertFailure("Address already in use",
                    lua("return kraken.socket():bind{host = '127.0.0.1', port = " + taken.getLocalPort() + "}"));
        }
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        assertFailure("Connection refused", lua("return kraken.socket():connect('127.0.0.1', " + free + ")"));
        assertFailure("Operation not supported", lua("return kraken.socket(kraken.AF.INET, kraken.SOCK.DGRAM):listen()"));
        assertFailure("Protocol not available", lua("return kraken.socket():getoption(9999)"));
        Varargs r = lua("return kraken.socket():bind{host = 'no-such-host.invalid', port = 1}");
        assertTrue(r.arg1().isnil());
        assertTrue(r.arg(2).tojstring().contains("no-such-host.invalid"));
        r = lua("return kraken.socket():bind{host = '*', port = 65536}");
        assertTrue(r.arg1().isnil());
    }

    @Test
    void timeoutsAreReadAndWrittenInSeconds() {
        lua("s = kraken.socket()");
        assertEquals(0.0, ((LuaTable) lua("return s:gettimeout()").arg1()).get("rcvtimeo").todouble());
        assertEquals(LuaValue.FALSE, lua("return s:getoption(kraken.SO.RCVTIMEO)").arg1());
        lua("assert(s:settimeout(1.5))");
        LuaTable t = (LuaTable) lua("return s:gettimeout()").arg1();
        assertEquals(1.5, t.get("rcvtimeo").todouble(), 0.01);
        assertEquals(1.5, t.get("sndtimeo").todouble(), 0.01);
        assertEquals(LuaValue.TRUE, lua("return s:getoption(kraken.SO.SNDTIMEO)").arg1());
        lua("assert(s:settimeout(0))");
        t = (LuaTable) lua("return s:gettimeout()").arg1();
        assertEquals(0.0, t.get("rcvtimeo").todouble());
        assertEquals(0.0, t.get("sndtimeo").todouble());
        lua("assert(s:setoption(kraken.SO.RCVTIMEO, 0.25))");
        assertEquals(0.25, ((LuaTable) lua("return s:gettimeout()").arg1()).get("rcvtimeo").todouble(), 0.01);
    }

    @Test
    void optionsAreBooleans() {
        lua("s = kraken.socket()");
        for (String opt : new String[] {"REUSEADDR", "KEEPALIVE", "LINGER", "BROADCAST", "OOBINLINE"}) {
            assertEquals(LuaValue.FALSE, lua("return s:getoption(kraken.SO." + opt + ")").arg1(), opt);
            assertEquals(LuaValue.TRUE, lua("return s:setoption(kraken.SO." + opt + ", true)").arg1(), opt);
            assertEquals(LuaValue.TRUE, lua("return s:getoption(kraken.SO." + opt + ")").arg1(), opt);
            assertEquals(LuaValue.TRUE, lua("return s:setoption(kraken.SO." + opt + ", false)").arg1(), opt);
            assertEquals(LuaValue.FALSE, lua("return s:getoption(kraken.SO." + opt + ")").arg1(), opt);
        }
        assertEquals(LuaValue.TRUE, lua("return s:getoption(kraken.SO.TYPE)").arg1());
        assertEquals(LuaValue.FALSE, lua("return s:getoption(kraken.SO.ACCEPTCONN)").arg1());
    }

    @Test
    void theLocalAddressIsNilUntilBound() throws IOException {
        lua("s = kraken.socket()");
        assertTrue(lua("return s:getip()").arg1().isnil());
        assertTrue(lua("return s:getport()").arg1().isnil());
        lua("assert(s:bind{host = '*', port = 0})");
        assertEquals("0.0.0.0", lua("return s:getip()").arg1().tojstring());
        int port = lua("return s:getport()").arg1().toint();
        assertTrue(port > 0);
        lua("assert(s:listen(4))");
        try (Socket client = new Socket("127.0.0.1", port)) {
            assertEquals(LuaValue.TRUE, lua("return s:getoption(kraken.SO.ACCEPTCONN)").arg1());
        }
    }

    @Test
    void ipv6WorksOnTheLoopback() throws IOException {
        int port = lua("srv = kraken.socket(kraken.AF.INET6) assert(srv:bind{host = '::1', port = 0})"
                + " assert(srv:listen()) return srv:getport()").arg1().toint();
        assertEquals("::1", lua("return srv:getip()").arg1().tojstring());
        peer = new Socket();
        peer.connect(new InetSocketAddress(InetAddress.getByName("::1"), port));
        Varargs r = lua("local from c, from = srv:accept() return c, from.host, from.port");
        assertEquals("::1", r.arg(2).tojstring());
        assertEquals(peer.getLocalPort(), r.arg(3).toint());
        send("over six\r\n");
        assertEquals("over six", text(lua("return c:receive()").arg1()));
        assertEquals(4, lua("return c:send('ok')").arg1().toint());
        assertEquals("ok\r\n", new String(read(4), StandardCharsets.ISO_8859_1));
        assertEquals("::", lua("local s = kraken.socket(kraken.AF.INET6) assert(s:bind{host = '*', port = 0})"
                + " return s:getip()").arg1().tojstring());
    }

    @Test
    void aSocketThatIsGarbageCollectedIsClosed() throws Exception {
        int port = lua("local s = kraken.socket() assert(s:bind{host = '127.0.0.1', port = 0}) assert(s:listen())"
                + " return s:getport()").arg1().toint();
        try (Socket probe = new Socket("127.0.0.1", port)) {
            assertTrue(probe.isConnected(), "listening while referenced");
        }
        g = null; // the chunk's registers are gone with it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
            System.gc();
            // A full accept queue makes a connect wait instead of failing: bound each probe.
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                Thread.sleep(50);
            } catch (ConnectException e) {
                refused = true;
            } catch (java.net.SocketTimeoutException e) {
                // Still listening, with a full queue.
            }
        }
        assertTrue(refused, "the collected socket's descriptor was closed");
    }

    @Test
    void wrapHandsAConnectedDescriptorToLua() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Fd fd = new Fd(Sockets.socket(Posix.Constant.AF_INET.value, Posix.Constant.SOCK_STREAM.value, 0));
            Sockets.connect(fd.get(), new byte[] {127, 0, 0, 1}, server.getLocalPort());
            peer = server.accept();
            LuaSocket s = LuaSocket.wrap(fd, settings);
            lua("");
            g.set("w", s);
            send("hello\n");
            assertEquals("hello", text(lua("return w:receive()").arg1()));
            assertEquals(5, lua("return w:send('bye')").arg1().toint());
            assertEquals("bye\r\n", new String(read(5), StandardCharsets.ISO_8859_1));
            assertEquals("127.0.0.1", lua("return w:getip()").arg1().tojstring());
            assertEquals(LuaValue.TRUE, lua("return w:close()").arg1());
            assertFalse(fd.isOpen());
            assertEquals(-1, peer.getInputStream().read());
            fd.close(); // the worker closing it again is harmless
        }
    }
}
