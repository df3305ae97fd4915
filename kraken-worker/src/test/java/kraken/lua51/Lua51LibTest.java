package kraken.lua51;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import kraken.lua.runtime.LuaRuntime;
import kraken.lua.module.Registry;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** Each Lua 5.1 function of Lua51Lib, run in-process in a state built as kraken builds it. */
@Tag("unit")
@Timeout(30)
class Lua51LibTest {

    private static Globals state(boolean sandbox) {
        Settings settings = new Settings();
        settings.sandbox = sandbox;
        return LuaRuntime.create(settings, new Registry(), r -> LuaValue.TRUE, null);
    }

    /** Runs a chunk and joins what it returns with tabs, each value through the state's tostring. */
    private static String run(Globals g, String code) {
        Varargs r = g.load(code, "=test").invoke();
        LuaValue tostring = g.get("tostring");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= r.narg(); i++) {
            sb.append(i > 1 ? "\t" : "").append(tostring.call(r.arg(i)).tojstring());
        }
        return sb.toString();
    }

    private static String run(String code) {
        return run(state(false), code);
    }

    @Test
    void versionIsLua51() {
        assertEquals("Lua 5.1", run("return _VERSION"));
    }

    @Test
    void loadstringCompilesWithTheStringAsChunkName() {
        assertEquals("3", run("return loadstring('return 1 + 2')()"));
        assertEquals("42", run("return loadstring('local a, b = ... return a * b')(6, 7)"));
        assertEquals("nil\t[string \"x =\"]:1: unexpected symbol near '<eof>'", run("return loadstring('x =')"));
        assertEquals("false\tname:1: boom", run("return pcall(loadstring('error(\"boom\")', '=name'))"));
        assertEquals("false\t[string \"error('boom')\"]:1: boom", run("return pcall(loadstring(\"error('boom')\"))"));
    }

    @Test
    void loadstringInTheSandboxTakesTextOnly() {
        Globals g = state(true);
        assertEquals("5", run(g, "return loadstring('return 5')()"));
        assertEquals("nil\tbinary chunks are not allowed in the sandbox", run(g, "return loadstring('\\27Lua\\81\\0')"));
        assertEquals("7", run(g, "return load('return 7')()"));
    }

    @Test
    void unpackReturnsTheRangeRaw() {
        assertEquals("1\t2\t3", run("return unpack({1, 2, 3})"));
        assertEquals("2\t3", run("return unpack({1, 2, 3}, 2)"));
        assertEquals("b\tnil", run("return unpack({'a', 'b'}, 2, 3)"));
        assertEquals("0", run("return select('#', unpack({}))"));
        assertEquals("1", run("return unpack(setmetatable({}, {__index = function() return 9 end}), 1, 1) == nil and 1 or 0"));
    }

    @Test
    void setfenvOnAFunctionChangesThatFunctionOnly() {
        assertEquals("mine\tglobal\tglobal", run(
                "x = 'global' local function f() return x end local function g() return x end "
                        + "setfenv(f, {x = 'mine'}) return f(), g(), x"));
        assertEquals("c1\tglobal", run(
                "x = 'global' local function mk() return function() return x end end local a, b = mk(), mk() "
                        + "setfenv(a, {x = 'c1'}) return a(), b()"));
    }

    @Test
    void setfenvAtLevelOneChangesTheCallersEnvironment() {
        assertEquals("level\tglobal", run(
                "x = 'global' local function f() setfenv(1, {x = 'level'}) return x end local r = f() return r, x"));
        assertEquals("two", run(
                "local function set() setfenv(2, {x = 'two'}) end local function f() set() return x end local r = f() return r"));
        assertEquals("chunk\tnil", run(
                "local G = _G setfenv(1, {}) y = 'chunk' return y, G.rawget(G, 'y')"));
    }

    @Test
    void closuresKeepTheEnvironmentTheyWereCreatedWith() {
        assertEquals("global\tnew", run(
                "x = 'global' local function m() local before = function() return x end "
                        + "setfenv(1, {x = 'new'}) local after = function() return x end return before, after end "
                        + "local b, a = m() return b(), a()"));
    }

    @Test
    void getfenvByFunctionAndLevel() {
        assertEquals("true\ttrue\ttrue\ttrue", run("return getfenv() == _G, getfenv(0) == _G, getfenv(1) == _G, getfenv(print) == _G"));
        assertEquals("here", run(
                "local function name() return getfenv(2).n end "
                        + "local function f() setfenv(1, {n = 'here'}) local r = name() return r end local r = f() return r"));
        assertEquals("true", run("local e = {} local function f(a) return a end setfenv(f, e) return getfenv(f) == e"));
    }

    @Test
    void fenvArgumentErrorsAre51s() {
        assertEquals("false\ttest:1: bad argument #1 to 'setfenv' (invalid level)", run("return pcall(function() setfenv(50, {}) end)"));
        assertEquals("false\ttest:1: bad argument #1 to 'getfenv' (level must be non-negative)", run("return pcall(function() getfenv(-1) end)"));
        assertEquals("false\ttest:1: 'setfenv' cannot change environment of given object", run("return pcall(function() setfenv(print, {}) end)"));
        assertEquals("false\ttest:1: bad argument #2 to 'setfenv' (table expected, got number)", run("return pcall(function() setfenv(1, 2) end)"));
    }

    @Test
    void setfenvZeroChangesWhatLoadstringSees() {
        assertEquals("yes\tnil", run(
                "local g = getfenv(0) setfenv(0, setmetatable({mark = 'yes'}, {__index = g})) local a = loadstring('return mark')() "
                        + "setfenv(0, g) return a, loadstring('return mark')()"));
    }

    @Test
    void moduleSetsTheCallersEnvironmentAndRegistersTheModule() {
        assertEquals("hi from m.sub\tm.sub\tm.\ttrue\ttrue\ttrue", run(
                "package.preload['m.sub'] = function(...) module(..., package.seeall) function hi() return 'hi from ' .. _NAME end end "
                        + "local m = require('m.sub') return m.hi(), m._NAME, m._PACKAGE, m._M == m, package.loaded['m.sub'] == m, m == _G.m.sub"));
        assertEquals("false", run("package.preload.iso = function(n) module(n) function f() return print end end return require('iso').f() ~= nil"));
        assertEquals("true\tkept", run("local t = {v = 'kept'} package.loaded.pre = t local function f() module('pre') end f() return t._NAME == 'pre', t.v"));
        assertEquals("false\ttest:1: name conflict for module 'c'", run("c = 1 return pcall(function() module('c') end)"));
    }

    @Test
    void seeallLetsAModuleReadGlobals() {
        assertEquals("true", run("local m = {} package.seeall(m) return m.print == print"));
    }

    @Test
    void packageLoadersIsTheSearchersTable() {
        assertEquals("true\ttrue", run("return package.loaders == package.searchers, type(package.loaders[1]) == 'function'"));
        assertEquals("42", run("table.insert(package.loaders, function(n) return function() return 42 end end) return require('anything.at.all')"));
    }

    @Test
    void tableFunctionsOf51() {
        assertEquals("3\t10\t0", run("return table.getn({1, 2, 3}), table.maxn({[10] = 1, [2] = 1, x = 1}), table.maxn({})"));
        assertEquals("1.5", run("return table.maxn({[1.5] = true})"));
        assertEquals("a=1", run("local r table.foreach({a = 1}, function(k, v) r = k .. '=' .. v end) return r"));
        assertEquals("stop", run("return table.foreach({a = 1}, function() return 'stop' end)"));
        assertEquals("1a2b", run("local r = '' table.foreachi({'a', 'b'}, function(i, v) r = r .. i .. v end) return r"));
        assertEquals("2", run("return table.foreachi({'a', 'b'}, function(i, v) if v == 'b' then return i end end)"));
    }

    @Test
    void concatWritesNumbersAs51() {
        assertEquals("0.33333333333333-x-2", run("return table.concat({1/3, 'x', 2}, '-')"));
        assertEquals("false\ttest:1: invalid value (table) at index 2 in table for 'concat'", run("return pcall(function() local s = table.concat({1, {}}) end)"));
    }

    @Test
    void malformedPatternsAreLuaErrors() {
        assertEquals("false\ttest:1: malformed pattern (missing ']')", run("return pcall(function() local r = string.find('abc', '[a-') return r end)"));
    }

    @Test
    void mathFunctionsOf51() {
        assertEquals("1\t-1\t3\t1024", run("return math.mod(7, 3), math.mod(-7, 3), math.log10(1000), math.pow(2, 10)"));
    }

    @Test
    void gfindIsGmatch() {
        assertEquals("a,b,", run("local r = '' for w in string.gfind('a b', '%a') do r = r .. w .. ',' end return r"));
    }

    @Test
    void gmatchAdvancesAfterAnEmptyMatch() {
        assertEquals("<a><><b><>", run("local r = '' for f in ('a,b'):gmatch('[^,]*') do r = r .. '<' .. f .. '>' end return r"));
    }

    @Test
    void gcinfoAndCollectgarbageCountAre51s() {
        assertEquals("true\ttrue\t1", run("return math.floor(gcinfo()) == gcinfo(), gcinfo() > 0, select('#', collectgarbage('count'))"));
        assertEquals("0\t200\t150", run("return collectgarbage(), collectgarbage('setpause', 150), collectgarbage('setpause', 200)"));
        assertEquals("false\ttest:1: bad argument #1 to 'collectgarbage' (invalid option 'x')", run("return pcall(function() collectgarbage('x') end)"));
    }

    @Test
    void xpcallCallsTheFunctionWithoutArgumentsAndReturnsTheHandlersResult() {
        assertEquals("true\t0", run("return xpcall(function(...) return select('#', ...) end, print, 1, 2)"));
        assertEquals("false\tH:test:1: z", run("return xpcall(function() error('z') end, function(m) return 'H:' .. m end)"));
        assertEquals("false\ttable", run("return xpcall(function() error({}) end, function(m) return type(m) end)"));
        assertEquals("false\terror in error handling", run("return xpcall(error, function() error('again') end)"));
    }

    @Test
    void errorLevelsNameThePositionAs51Does() {
        assertEquals("false\ttest:1: here", run("return pcall(function() error('here') end)"));
        assertEquals("false\tbare", run("return pcall(function() error('bare', 0) end)"));
        assertEquals("false\ttest:3: caller", run("local function check() error('caller', 2) end\n"
                + "local function user()\n check()\n end\n return pcall(user)"));
        assertEquals("false\ttest:1: 42", run("return pcall(function() error(42) end)"));
        assertEquals("false\tnil", run("return pcall(function() error() end)"));
    }

    @Test
    void runtimeErrorsReadAs51s() {
        assertEquals("false\ttest:1: attempt to index local 'x' (a nil value)", run("return pcall(function() local x return x.y end)"));
        assertEquals("false\ttest:1: attempt to call global 'nope' (a nil value)", run("return pcall(function() nope() end)"));
        assertEquals("false\ttest:1: attempt to perform arithmetic on a table value", run("return pcall(function() return 1 + {} end)"));
        assertEquals("false\ttest:1: attempt to get length of a nil value", run("return pcall(function() return #nil end)"));
        assertEquals("false\ttest:1: attempt to concatenate local 'x' (a nil value)", run("return pcall(function() local x return 'a' .. x end)"));
        assertEquals("false\ttest:1: attempt to compare number with string", run("return pcall(function() return 1 < 'x' end)"));
        assertEquals("false\ttest:1: attempt to compare two table values", run("return pcall(function() return {} < {} end)"));
    }

    @Test
    void pcallCatchesStackOverflow() {
        assertEquals("false\tstack overflow", run("local function r() return 1 + r() end return pcall(r)"));
    }

    @Test
    void levelsStayRightAfterAStackOverflow() {
        assertEquals("false\ttest:2: after\ttrue", run("local function r() return 1 + r() end pcall(r) pcall(r)\n"
                + "local ok, e = pcall(function() error('after') end) local gf, mine = getfenv, {} setfenv(1, mine) return ok, e, gf(1) == mine"));
    }

    /** Every function given wrong arguments raises a Lua error with a message: no Java exception, no crash. */
    @Test
    void wrongArgumentsGiveLuaErrors() {
        String result = run(""
                + "local calls = {\n"
                + " function() return loadstring() end,\n"
                + " function() return loadstring({}) end,\n"
                + " function() return unpack() end,\n"
                + " function() return unpack(1) end,\n"
                + " function() return unpack({}, 'x') end,\n"
                + " function() return getfenv({}) end,\n"
                + " function() return getfenv('x') end,\n"
                + " function() return setfenv() end,\n"
                + " function() return setfenv(1) end,\n"
                + " function() return setfenv({}, {}) end,\n"
                + " function() return setfenv('x', {}) end,\n"
                + " function() return module() end,\n"
                + " function() return module({}) end,\n"
                + " function() return package.seeall() end,\n"
                + " function() return package.seeall(1) end,\n"
                + " function() return table.getn() end,\n"
                + " function() return table.maxn('x') end,\n"
                + " function() return table.foreach({}) end,\n"
                + " function() return table.foreach({}, 1) end,\n"
                + " function() return table.foreachi(nil, print) end,\n"
                + " function() return table.concat({{}}) end,\n"
                + " function() return table.concat({}, {}) end,\n"
                + " function() return math.mod() end,\n"
                + " function() return math.mod('x', 1) end,\n"
                + " function() return math.log10({}) end,\n"
                + " function() return math.pow() end,\n"
                + " function() return string.gfind() end,\n"
                + " function() return string.gmatch('x') end,\n"
                + " function() return string.format() end,\n"
                + " function() return string.format('%d') end,\n"
                + " function() return string.format('%d', {}) end,\n"
                + " function() return string.format('%123d', 1) end,\n"
                + " function() return string.format('%', 1) end,\n"
                + " function() return string.format('%------d', 1) end,\n"
                + " function() return string.format('%s', nil) end,\n"
                + " function() return string.format('%c', 'x') end,\n"
                + " function() return string.find('a', '((') end,\n"
                + " function() return string.gsub('a', '%', 'x') end,\n"
                + " function() return string.match('a', '[%') end,\n"
                + " function() return tonumber() end,\n"
                + " function() return tonumber('z', 99) end,\n"
                + " function() return tonumber({}, 16) end,\n"
                + " function() return tostring() end,\n"
                + " function() return collectgarbage({}) end,\n"
                + " function() return collectgarbage('x') end,\n"
                + " function() return xpcall() end,\n"
                + " function() return pcall() end,\n"
                + " function() return newproxy('x') end,\n"
                + " function() return coroutine.create() end,\n"
                + " function() return coroutine.create(1) end,\n"
                + " function() return coroutine.wrap({}) end,\n"
                + " function() return coroutine.resume(1) end,\n"
                + " function() return coroutine.yield() end,\n"
                + " function() return error({}) end,\n"
                + " function() return error('x', 'y') end,\n"
                + "}\n"
                + "local bad = {}\n"
                + "for i, c in ipairs(calls) do\n"
                + "  local ok, e = pcall(c)\n"
                + "  if ok or (type(e) ~= 'string' and type(e) ~= 'table') or (type(e) == 'string' and e:find('vm error')) then\n"
                + "    bad[#bad + 1] = i .. ':' .. tostring(e)\n"
                + "  end\n"
                + "end\n"
                + "return #calls, table.concat(bad, ' ')");
        assertEquals("55\t", result);
    }

    @Test
    void numbersPrintWithPercentPoint14g() {
        assertEquals("1e+15\t0.33333333333333\t1e+100\t-nan\tinf\t100\t2.5\t1e-05",
                run("return tostring(1e15), tostring(1/3), tostring(1e100), tostring(0/0), tostring(1/0), tostring(100), tostring(2.5), tostring(1e-5)"));
        assertEquals("9.007199254741e+15", run("return tostring(2^53)"));
    }

    @Test
    void tonumberFollowsStrtod() {
        assertEquals("16\t12\tnil\tnil\t255\t35\tnil", run(
                "return tonumber('0x10'), tonumber(' 12 '), tonumber('0x'), tonumber('1e'), tonumber('ff', 16), tonumber('z', 36), tonumber('8', 8)"));
    }

    @Test
    void stringFormatIsCs() {
        assertEquals(" 3.14|0.1|ab   |00042|+5|1e+20|1.234568e+04|0x1f|\"a\\\nb\\000\"",
                run("return string.format('%5.2f|%.1f|%-5s|%05d|%+d|%g|%e|%#x|%q', math.pi, 0.15, 'ab', 42, 5, 1e20, 12345.678, 31, 'a\\nb\\0')"));
        assertEquals("false\ttest:1: bad argument #2 to 'format' (number expected, got string)",
                run("return pcall(function() local s = string.format('%d', 'x') end)"));
    }

    @Test
    void coroutineErrorsKeepTheirValue() {
        assertEquals("false\t7", run("local co = coroutine.create(function() error({code = 7}) end) local ok, e = coroutine.resume(co) return ok, e.code"));
        assertEquals("nil", run("return coroutine.running()"));
        assertEquals("false\ttest:1: test:1: w", run("local w = coroutine.wrap(function() error('w') end) return pcall(function() w() end)"));
    }

    @Test
    void newproxyMakesUserdata() {
        assertEquals("userdata\ttrue\ttrue", run("local p = newproxy(true) return type(p), getmetatable(p) ~= nil, getmetatable(newproxy(p)) == getmetatable(p)"));
    }

    @Test
    void debugIsOfferedOnlyOutsideTheSandbox() {
        assertEquals("table", run("return type(debug)"));
        assertEquals("nil\tnil", run(state(true), "return type(debug) == 'table' and 'table' or nil, package.loaded.debug"));
        assertEquals("mod", run(state(true), "package.preload.mod = function(n) module(n) end return require('mod')._NAME"));
    }

    @Test
    void errorMessagesCarryNoTraceback() {
        String r = run("return select(2, pcall(function() local t = nil; return t.x end))");
        assertTrue(!r.contains("traceback"), r);
    }
}
