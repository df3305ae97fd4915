package kraken.lua.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import kraken.lua.runtime.LuaRuntime;
import kraken.posix.Posix;
import kraken.posix.Privileges;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

@Tag("unit")
@Timeout(20)
class KrakenLibTest {
    private final Settings settings = new Settings();
    private final Registry registry = new Registry();
    private final List<Registry> loops = new ArrayList<>();
    private Globals g;

    private Varargs run(String lua) {
        if (g == null) {
            g = LuaRuntime.create(settings, registry, r -> {
                loops.add(r);
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("stopped"), LuaValue.valueOf(3));
            }, null);
        }
        return g.load(lua, "=test").invoke();
    }

    private String error(String lua) {
        String m = assertThrows(LuaError.class, () -> run(lua)).getMessage();
        return m.substring(m.indexOf("bad argument"));
    }

    @Test
    void registerApplicationTakesACoroutineThatHasNotStartedAndTheLastWins() {
        assertEquals(LuaValue.TRUE, run("first = coroutine.create(print) return kraken.registerApplication(first)"));
        assertSame(g.get("first"), registry.application());
        run("second = coroutine.create(print) assert(kraken.registerApplication(second))");
        assertSame(g.get("second"), registry.application());
        Varargs r = run("local co = coroutine.create(function() end) coroutine.resume(co)"
                + " return kraken.registerApplication(co)");
        assertTrue(r.arg1().isnil());
        assertTrue(r.arg(2).tojstring().contains("has not started"), r.arg(2).tojstring());
        assertSame(g.get("second"), registry.application());
        // As in Lua 5.1, the main thread's coroutine.running() is nil: a bad argument, not a coroutine.
        assertEquals("bad argument #1 to 'registerApplication' (coroutine expected, got nil)",
                error("kraken.registerApplication(coroutine.running())"));
        assertEquals("bad argument #1 to 'registerApplication' (coroutine expected, got function)",
                error("kraken.registerApplication(print)"));
        assertEquals("bad argument #1 to 'registerApplication' (coroutine expected, got no value)",
                error("kraken.registerApplication()"));
    }

    @Test
    void registerAddressAddsEachValidAddress() {
        run("assert(kraken.registerAddress{host = '*', port = 8001})"
                + " assert(kraken.registerAddress{host = '::1', port = 1})"
                + " assert(kraken.registerAddress{host = 'localhost', port = 65535})");
        assertEquals(List.of(new Registry.Address("*", 8001), new Registry.Address("::1", 1),
                new Registry.Address("localhost", 65535)), registry.addresses());
        for (String bad : new String[] {"{host = '*', port = 0}", "{host = '*', port = 65536}",
            "{host = '*', port = 1.5}", "{host = '*'}", "{port = 80}", "{host = 8, port = 80}",
            "{host = '', port = 80}", "{host = 'a b', port = 80}", "{host = '*', port = {}}"}) {
            Varargs r = run("return kraken.registerAddress" + bad);
            assertTrue(r.arg1().isnil(), bad);
            assertTrue(r.arg(2).isstring(), bad);
        }
        assertEquals(3, registry.addresses().size());
        assertEquals("bad argument #1 to 'registerAddress' (table expected, got string)",
                error("kraken.registerAddress('*:80')"));
    }

    @Test
    void registerUserRegistersTheResolvedName() throws Exception {
        int euid = Privileges.getresids()[1];
        Privileges.User me = Privileges.getpwuid(euid);
        assertNotNull(me);
        if (euid == 0) {
            run("assert(kraken.registerUser('nobody'))");
            assertEquals("nobody", registry.user());
            Varargs r = run("return kraken.registerUser(0)");
            assertTrue(r.arg1().isnil());
            assertTrue(r.arg(2).tojstring().contains("root"));
            settings.allowRoot = true;
            run("assert(kraken.registerUser(0))");
            assertEquals("root", registry.user());
        } else {
            run("assert(kraken.registerUser(" + euid + "))");
            assertEquals(me.name(), registry.user());
            assertTrue(run("return kraken.registerUser(0)").arg1().isnil());
        }
        assertTrue(run("return kraken.registerUser('no such user here')").arg1().isnil());
        assertEquals("bad argument #1 to 'registerUser' (uid or user name expected, got table)",
                error("kraken.registerUser({})"));
    }

    @Test
    void loopReturnsEveryResultOfTheLoopHandler() {
        Varargs r = run("return kraken.loop()");
        assertEquals(3, r.narg());
        assertEquals("stopped", r.arg(2).tojstring());
        assertEquals(List.of(registry), loops);
    }

    @Test
    void socketChecksItsArguments() {
        assertEquals("userdata", run("return type(kraken.socket())").arg1().tojstring());
        assertEquals("userdata", run("return type(kraken.socket(kraken.AF.INET6, kraken.SOCK.STREAM, 0))").arg1().tojstring());
        assertEquals("bad argument #1 to 'socket' (number expected, got string)", error("kraken.socket('x')"));
        assertEquals("bad argument #2 to 'socket' (number expected, got table)", error("kraken.socket(2, {})"));
        assertEquals("bad argument #3 to 'socket' (number expected, got boolean)", error("kraken.socket(2, 1, true)"));
        Varargs r = run("return kraken.socket(12345)");
        assertTrue(r.arg1().isnil());
        assertEquals("Address family not supported by protocol", r.arg(2).tojstring());
    }

    @Test
    void constantsAreThePlatformsOwnNumbers() {
        Object[][] native_ = {
            {"AF", "INET", Posix.Constant.AF_INET}, {"AF", "INET6", Posix.Constant.AF_INET6},
            {"AF", "UNIX", Posix.Constant.AF_UNIX}, {"SOCK", "STREAM", Posix.Constant.SOCK_STREAM},
            {"SOCK", "SEQPACKET", Posix.Constant.SOCK_SEQPACKET}, {"SO", "RCVTIMEO", Posix.Constant.SO_RCVTIMEO},
            {"SO", "SNDTIMEO", Posix.Constant.SO_SNDTIMEO}, {"SO", "LINGER", Posix.Constant.SO_LINGER},
            {"SO", "REUSEADDR", Posix.Constant.SO_REUSEADDR}, {"SO", "ERROR", Posix.Constant.SO_ERROR},
        };
        for (Object[] c : native_) {
            assertEquals(((Posix.Constant) c[2]).value, run("return kraken." + c[0] + "." + c[1]).arg1().toint(),
                    c[0] + "." + c[1]);
        }
        String[] required = {"AF.UNSPEC", "AF.UNIX", "AF.INET", "AF.INET6", "SOCK.STREAM", "SOCK.DGRAM", "SOCK.RAW",
            "SOCK.SEQPACKET", "SO.DEBUG", "SO.REUSEADDR", "SO.REUSEPORT", "SO.TYPE", "SO.ERROR", "SO.DONTROUTE",
            "SO.BROADCAST", "SO.SNDBUF", "SO.RCVBUF", "SO.KEEPALIVE", "SO.OOBINLINE", "SO.LINGER", "SO.RCVLOWAT",
            "SO.SNDLOWAT", "SO.RCVTIMEO", "SO.SNDTIMEO", "SO.ACCEPTCONN"};
        for (String name : required) {
            assertEquals("number", run("return type(kraken." + name + ")").arg1().tojstring(), name);
        }
    }

    /** What pairs() lists, as name=value. */
    private static Map<String, Integer> listed(LuaValue t) {
        Map<String, Integer> m = new TreeMap<>();
        for (Varargs n = t.next(LuaValue.NIL); !n.arg1().isnil(); n = t.next(n.arg1())) {
            m.put(n.arg1().tojstring(), n.arg(2).toint());
        }
        return m;
    }

    @Test
    void constantTablesFillThemselvesWhateverTheFirstUse() {
        Map<String, Integer> af = new TreeMap<>(PlatformConstants.Names.AF);
        assertFalse(af.isEmpty());
        assertEquals(af, listed(run("local t = {} for k, v in pairs(kraken.AF) do t[k] = v end return t").arg1()));
        g = null;
        assertEquals(af.get("INET"), run("return rawget(kraken.AF, 'INET')").arg1().toint());
        g = null;
        assertEquals(af.get("INET"), run("return next(kraken.AF) and kraken.AF.INET").arg1().toint());
        g = null;
        assertEquals(0, run("return #kraken.SOCK").arg1().toint());
        g = null;
        run("kraken.SO.MINE = 1");
        Map<String, Integer> so = new TreeMap<>(PlatformConstants.Names.SO);
        so.put("MINE", 1);
        assertEquals(so, listed(g.get("kraken").get("SO")));
        g = null;
        LuaTable sock = (LuaTable) run("table.insert(kraken.SOCK, 'x') return kraken.SOCK");
        assertEquals(PlatformConstants.Names.SOCK.get("STREAM"), sock.get("STREAM").arg1().toint());
        assertEquals("x", sock.get(1).tojstring());
    }
}
