package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/processes.md, "Isolation": "state" isolation: one connection, one fresh copy of the script's state. A
 * worker shares the string, table, math and bit32 functions between the states it builds
 * (kraken.lua.runtime.SharedLibraries); a connection that changes everything it can reach of them
 * (their tables, the string metatable, the metatables debug.setmetatable sets, the random
 * generator, environments, upvalues) leaves the next connection in the same worker a pristine state.
 */
@Tag("integration")
@Timeout(120)
class SharedLibrariesIsolationTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = Server.PID_FUNCTION + """
            local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end
            local sizes = {string = count(string), table = count(table), math = count(math), bit32 = count(bit32)}
            local function mutate()
              local out = {}
              local rep, concat = string.rep, table.concat
              out[#out + 1] = tostring(select(2, pcall(setfenv, rep, {})))
              out[#out + 1] = tostring(select(2, pcall(setfenv, math.floor, {})))
              out[#out + 1] = tostring(getfenv(rep) == _G)
              out[#out + 1] = tostring((debug.setupvalue(rep, 1, "x")))
              -- Draws before the reseed: the next connection must draw the same ones.
              out[#out + 1] = math.random(1, 1000000000) .. " " .. math.random(1, 1000000000)
              math.randomseed(42)
              string.rep = function () return "hacked" end
              rawset(string, "upper", function () return "hacked" end)
              string.evil = true
              table.insert = nil
              table.concat = function () return "hacked" end
              math.floor = function () return 42 end
              math.pi = 3
              bit32.band = function () return 42 end
              rawset(bit32, "bor", nil)
              package.loaded.string.format = function () return "hacked" end
              getmetatable("").__index = {len = function () return -1 end}
              getmetatable("").__add = function () return "added" end
              debug.setmetatable(print, {__index = {evil = true}})
              debug.setmetatable(0, {__index = math})
              debug.setmetatable(true, {__index = {evil = true}})
              debug.setmetatable(nil, {__index = {evil = true}})
              seen = {}
              string.gsub("abc", "%w", function (c) seen[#seen + 1] = c end)
              iterate = string.gmatch("a b c", "%a")
              iterate()
              string = nil
              return "mutated " .. concat(out, "|")
            end
            local function check()
              local bad = {}
              local function expect(name, ok) if not ok then bad[#bad + 1] = name end end
              expect("string.rep", string.rep("ab", 3) == "ababab")
              expect("string.upper", ("x"):upper() == "X")
              expect("string.evil", string.evil == nil)
              expect("string.format", string.format("%5.2f", 2.5) == " 2.50")
              expect("string size", count(string) == sizes.string)
              expect("table.insert", type(table.insert) == "function")
              local t = {} table.insert(t, "a") table.insert(t, "b")
              expect("table.concat", table.concat(t, ",") == "a,b")
              expect("table size", count(table) == sizes.table)
              expect("math.floor", math.floor(2.5) == 2)
              expect("math.pi", math.pi > 3.14159 and math.pi < 3.1416)
              expect("math size", count(math) == sizes.math)
              expect("bit32.band", bit32.band(6, 3) == 2)
              expect("bit32.bor", bit32.bor(4, 1) == 5)
              expect("bit32 size", count(bit32) == sizes.bit32)
              expect("package.loaded.string", package.loaded.string == string)
              expect("string metatable", getmetatable("").__index == string and ("abc"):len() == 3)
              expect("string __add", getmetatable("").__add == nil)
              expect("function metatable", debug.getmetatable(print) == nil)
              expect("number metatable", debug.getmetatable(0) == nil and not pcall(function () return (5).floor end))
              expect("boolean metatable", debug.getmetatable(true) == nil)
              expect("nil metatable", debug.getmetatable(nil) == nil)
              expect("gsub's state", seen == nil and iterate == nil)
              return #bad == 0 and "pristine " .. math.random(1, 1000000000) .. " " .. math.random(1, 1000000000)
                  or "changed: " .. table.concat(bad, ", ")
            end
            local app = coroutine.create(function (skt, addr)
              skt:send(tostring(pid()))
              local mode = skt:receive()
              skt:send(mode == "mutate" and mutate() or check())
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void whatAConnectionDoesToTheSharedLibrariesIsNotSeenByTheNext() throws Exception {
        String config = "kraken.isolation = 'state'\nkraken.workers.spare = 1\nkraken.workers.max = 1\n";
        try (Server s = Server.start(dir, SCRIPT, config).awaitReady(1)) {
            String pid;
            String draws;
            try (Server.Client c = s.connect()) {
                pid = c.readLine();
                c.send("mutate\n");
                String reply = c.readAll();
                String expected = "mutated 'setfenv' cannot change environment of given object"
                        + "|'setfenv' cannot change environment of given object|true|nil|";
                assertEquals(expected, reply.substring(0, Math.min(reply.length(), expected.length())), reply);
                draws = reply.substring(expected.length()).trim();
            }
            s.process.await("the worker ready again", Duration.ofSeconds(20), () -> s.count("served by worker") >= 1);
            for (int i = 0; i < 2; i++) {
                try (Server.Client c = s.connect()) {
                    assertEquals(pid, c.readLine(), "the same worker serves both: " + s.process.stderr());
                    c.send("check\n");
                    // As if the master had forked: the same draws as the first connection's, before its reseed.
                    assertEquals("pristine " + draws + "\r\n", c.readAll());
                }
                int served = i + 2;
                s.process.await("the worker ready again", Duration.ofSeconds(20),
                        () -> s.count("served by worker") >= served);
            }
        }
    }
}
