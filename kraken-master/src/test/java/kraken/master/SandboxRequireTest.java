package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/hostile-input.md, the sandbox: require loads only Lua files from the script's own folder,
 * whatever a connection does to package, its searchers, loaded and preload, metatables or
 * setfenv. A Lua-syntax file outside the folder, readable by the worker, is the prize.
 */
@Tag("integration")
@Timeout(120)
class SandboxRequireTest {
    @TempDir
    Path dir;
    @TempDir
    Path outside;

    private static final String ATTACK = """
            local results = {}
            local function try(label, f)
              local ok, v = pcall(f)
              results[#results + 1] = label .. "=" .. (ok and tostring(v) or "error")
            end
            local app = coroutine.create(function (skt, addr)
              try("mod", function() return require("mod") end)
              package.path = "OUTSIDE/?.lua;" .. package.path
              try("path", function() return require("secret") end)
              try("dots", function() return require("..secret") end)
              try("slash", function() return require("OUTSIDE/secret") end)
              try("link", function() return require("link") end)
              for i, s in ipairs(package.loaders) do
                try("loader" .. i, function()
                  local l = s("secret")
                  return type(l) == "function" and l() or "none"
                end)
              end
              try("searchpath", function() return package.searchpath("secret", package.path) end)
              table.insert(package.loaders, 1, function(n) return function() return "hijacked" end end)
              package.searchers = package.loaders
              package.preload.other = function() return "preloaded" end -- the script's own function
              try("preload", function() return require("other") end)
              try("searchers", function() return require("mod2") end)
              setmetatable(package.loaded, {__index = function() return "evil" end})
              try("meta", function() return require("mod3") end)
              try("setfenv", function() setfenv(require, {}) return "changed" end)
              package.loaded = {}
              package = nil
              try("nopackage", function() return require("mod4") end)
              try("cached", function() return require("mod") end)
              skt:send(table.concat(results, " "))
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void requireLoadsOnlyFromTheScriptsFolderWhateverTheScriptDoes() throws Exception {
        Files.writeString(outside.resolve("secret.lua"), "return 'SECRET'\n");
        outside.toFile().setReadable(true, false);
        outside.toFile().setExecutable(true, false);
        outside.resolve("secret.lua").toFile().setReadable(true, false);
        for (String m : new String[] {"mod", "mod2", "mod3", "mod4"}) {
            Files.writeString(dir.resolve(m + ".lua"), "return '" + m + "'\n");
            dir.resolve(m + ".lua").toFile().setReadable(true, false);
        }
        Files.createSymbolicLink(dir.resolve("link.lua"), outside.resolve("secret.lua"));
        String script = ATTACK.replace("OUTSIDE", outside.toString());
        try (Server s = Server.start(dir, script, "kraken.sandbox = true").awaitReady(1)) {
            try (Server.Client c = s.connect()) {
                assertEquals("mod=mod path=error dots=error slash=error link=error loader1=none searchpath=error"
                        + " preload=preloaded searchers=mod2 meta=mod3 setfenv=error nopackage=mod4 cached=mod\r\n",
                        c.readAll(), s.process.stderr());
            }
        }
    }
}
