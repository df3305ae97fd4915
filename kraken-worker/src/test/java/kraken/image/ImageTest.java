package kraken.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import kraken.lua.module.Registry;
import kraken.lua.runtime.LuaRuntime;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.TableShape;

/** Capture at kraken.loop() and copies of the image (docs/processes.md, "Who runs what"). */
@Tag("unit")
class ImageTest {
    static final long LIMIT = 8L << 20;

    /** Runs script in a fresh state and captures it inside kraken.loop(), as the real loop does. */
    static byte[] imageOf(String script, long limit) throws ImageException {
        Registry registry = new Registry();
        Globals[] g = new Globals[1];
        Object[] result = new Object[1];
        g[0] = LuaRuntime.create(new Settings(), registry, r -> {
            try {
                result[0] = ImageWriter.capture(g[0], r, limit);
            } catch (ImageException e) {
                result[0] = e;
            }
            return LuaValue.TRUE;
        }, null);
        g[0].load(script + "\nkraken.loop()", "@app.lua").call();
        if (result[0] instanceof ImageException e) {
            throw e;
        }
        assertNotNull(result[0], "the script did not reach kraken.loop()");
        return (byte[]) result[0];
    }

    static byte[] imageOf(String script) throws ImageException {
        return imageOf(script, LIMIT);
    }

    static Globals copy(Image image) throws ImageException {
        return image.instantiate(new Settings(), new Registry(), r -> LuaValue.NONE, null);
    }

    static LuaValue run(Globals g, String code) {
        return g.load(code, "=test").call();
    }

    @Test
    void closuresSharingAnUpvalueShareItInTheCopyAndNotAcrossCopies() throws Exception {
        Image image = Image.read(imageOf("local n = 10\nfunction inc() n = n + 1 return n end\n"
                + "function get() return n end\nshared = {x = 1}"), LIMIT);
        Globals a = copy(image);
        run(a, "inc() inc() shared.x = 2 string.mine = 1 setmetatable(_G, {__index = function() return 'dflt' end})");
        assertEquals(12, run(a, "return get()").toint());
        Globals b = copy(image);
        assertEquals(10, run(b, "return get()").toint());
        assertTrue(run(b, "return shared.x == 1 and string.mine == nil and undefined == nil").toboolean());
        assertEquals(11, run(b, "return inc()").toint());
        assertEquals(12, run(a, "return get()").toint());
    }

    @Test
    void metatablesWeakModesAndKeysThatAreObjects() throws Exception {
        Globals g = copy(Image.read(imageOf("local mt = {__index = function(t, k) return k .. '!' end}\n"
                + "t = setmetatable({}, mt)\n"
                + "key = {} f = function() end\n"
                + "weak = setmetatable({}, {__mode = 'k'}) weak[key] = 1\n"
                + "map = {[key] = 'a', [f] = 'b', [true] = 'c', [1.5] = 'd', 'x', 'y', nil, 'z'}\n"
                + "loop = {} setmetatable(loop, loop) loop.__index = loop loop.me = loop"), LIMIT));
        assertEquals("foo!", run(g, "return t.foo").tojstring());
        assertEquals("k", run(g, "return getmetatable(weak).__mode").tojstring());
        assertArrayEquals(new boolean[] {true, false}, TableShape.weakness((LuaTable) g.get("weak")));
        assertEquals(1, run(g, "return weak[key]").toint());
        assertEquals("a b c d", run(g, "return map[key]..' '..map[f]..' '..map[true]..' '..map[1.5]").tojstring());
        assertEquals("x y z", run(g, "return map[1]..' '..map[2]..' '..map[4]").tojstring());
        assertTrue(run(g, "return loop.me.me == loop and getmetatable(loop) == loop").toboolean());
    }

    @Test
    void varargFunctionsAndTheirArgTableCrossTheImage() throws Exception {
        // The 5.1 compiler gives a vararg function that does not use ... a local arg table, built
        // by a Java constant in its prototype: the image carries it as that constant.
        Globals g = copy(Image.read(imageOf("function count(...) return select('#', ...) end\n"
                + "function old(a, ...) return arg.n, arg[1], arg[2] end\n"), LIMIT));
        assertEquals(3, run(g, "return count(1, nil, 3)").toint());
        assertEquals("2 x nil", run(g, "local n, a, b = old(0, 'x', nil) return n .. ' ' .. a .. ' ' .. tostring(b)")
                .tojstring());
    }

    @Test
    void libraryFunctionsAreTheCopysOwnAndTheScriptsChangesToLibrariesStay() throws Exception {
        Globals g = copy(Image.read(imageOf("fmt = string.format\nlocal p = print\n"
                + "function myprint() return p end\n"
                + "string.shout = function(s) return s:upper() .. '!' end\n"
                + "string.rep = nil\n"
                + "out = io.stdout\n"), LIMIT));
        assertTrue(run(g, "return fmt == string.format and myprint() == print and out == io.stdout").toboolean());
        assertEquals("HI!", run(g, "return ('hi'):shout()").tojstring());
        assertTrue(run(g, "return string.rep == nil and getmetatable('').__index == string").toboolean());
        assertEquals("7", run(g, "return fmt('%d', 7)").tojstring());
    }

    @Test
    void valuesDrawnAtTheTopLevelAndTheGeneratorAreAsAtLoop() throws Exception {
        byte[] bytes = imageOf("math.randomseed(42) drawn = math.random(1000000) t = os.time()");
        Image image = Image.read(bytes, LIMIT);
        Globals a = copy(image);
        Globals b = copy(image);
        assertEquals(run(a, "return drawn").toint(), run(b, "return drawn").toint());
        assertEquals(run(a, "return math.random(1000000)").toint(), run(b, "return math.random(1000000)").toint());
        // The draw after loop() in a copy is the one the original would have made next.
        Globals c = LuaRuntime.create(new Settings(), new Registry(), r -> LuaValue.NONE, null);
        run(c, "math.randomseed(42) math.random(1000000)");
        assertEquals(run(c, "return math.random(1000000)").toint(), run(copy(image), "return math.random(1000000)").toint());
    }

    @Test
    void theApplicationIsANewUnstartedCoroutineInEachCopy() throws Exception {
        Image image = Image.read(imageOf("local count = 0\n"
                + "app = coroutine.create(function() count = count + 1 return count end)\n"
                + "kraken.registerApplication(app)\n"
                + "kraken.registerAddress{host = '127.0.0.1', port = 8001}"), LIMIT);
        assertTrue(image.hasApplication());
        assertEquals("127.0.0.1:8001", image.addresses().get(0).toString());
        Registry r = new Registry();
        Globals g = image.instantiate(new Settings(), r, x -> LuaValue.NONE, null);
        assertEquals("suspended", run(g, "return coroutine.status(app)").tojstring());
        assertTrue(r.application() == g.get("app"));
        assertEquals(1, run(g, "local ok, n = coroutine.resume(app) return n").toint());
        assertEquals(1, run(copy(image), "local ok, n = coroutine.resume(app) return n").toint());
    }

    @Test
    void uncopyableValuesAreRefusedByNameAndPlace() {
        assertRefused("log = io.open('/dev/null')", "a file", "global 'log'");
        assertRefused("t = {x = {y = io.open('/dev/null')}}", "a file", "field 'y' of field 'x' of global 't'");
        assertRefused("local f = io.open('/dev/null')\nfunction use() return f end", "a file",
                "upvalue 'f' of function at app.lua:2");
        assertRefused("co = coroutine.create(function() coroutine.yield() end) coroutine.resume(co)",
                "started", "global 'co'");
        assertRefused("w = coroutine.wrap(function() end)", "made by a library", "global 'w'");
        assertRefused("conns = {main = kraken.socket()}", "a socket", "field 'main' of global 'conns'");
        assertRefused("it = string.gmatch('a b', '%a')", "made by a library", "global 'it'");
        assertRefused("local t = setmetatable({}, {__index = {f = io.open('/dev/null')}}) keep = t",
                "a file", "field 'f' of field '__index' of the metatable of global 'keep'");
    }

    private static void assertRefused(String script, String what, String where) {
        ImageException e = assertThrows(ImageException.class, () -> imageOf(script));
        assertTrue(e.getMessage().contains(what) && e.getMessage().contains(where), e.getMessage());
    }

    @Test
    void deepNestingAndCyclesCopyWithoutRecursion() throws Exception {
        Globals g = copy(Image.read(imageOf("local t = {} deep = t for i = 1, 200000 do t[1] = {} t = t[1] end t.last = true\n"
                + "local a, b = {}, {} setmetatable(a, b) setmetatable(b, a) a.__index = b b.__index = a pair = a"), LIMIT));
        assertTrue(run(g, "local t = deep while t[1] do t = t[1] end return t.last").toboolean());
        assertTrue(run(g, "return getmetatable(getmetatable(pair)) == pair").toboolean());
    }

    @Test
    void anImagePastItsLimitIsRefusedBySizeWhileItIsWritten() {
        ImageException e = assertThrows(ImageException.class,
                () -> imageOf("big = {} for i = 1, 2000000 do big[i] = {i} end", 1 << 20));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        byte[][] ok = new byte[1][];
        assertThrows(ImageException.class, () -> Image.read(ok[0] = imageOf("x = string.rep('a', 4096)"), 1000));
    }

    @Test
    void everyTruncationAndRandomCorruptionIsAnImageException() throws Exception {
        byte[] good = imageOf("local n = 1\nfunction f(a) return a + n end\nt = {1, 2, x = {y = 'z'}, [{}] = f}\n"
                + "setmetatable(t, {__mode = 'v'}) app = coroutine.create(f) kraken.registerApplication(app)");
        Image.read(good, LIMIT);
        for (int n = 0; n < good.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            assertThrows(ImageException.class, () -> Image.read(cut, LIMIT), "cut at " + n);
        }
        Random random = new Random(13);
        for (int round = 0; round < 3000; round++) {
            byte[] bad = good.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                bad[8 + random.nextInt(bad.length - 8)] = (byte) random.nextInt(256);
            }
            try {
                copy(Image.read(bad, LIMIT));
            } catch (ImageException e) {
                // refused cleanly
            }
        }
    }
}
