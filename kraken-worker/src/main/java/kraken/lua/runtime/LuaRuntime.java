package kraken.lua.runtime;

import java.nio.file.Path;
import kraken.lua.module.KrakenLib;
import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.lua51.CoroutineLimit;
import kraken.lua51.Lua51Lib;
import kraken.settings.Settings;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.CoroutineLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseOsLib;

/**
 * Builds a Lua state from an allow-list of libraries. LuajavaLib is never on it, and the
 * package library's Java searcher (which would let require load any Java class, luajava
 * included) is removed, so no Lua code can reach the JVM.
 */
public final class LuaRuntime {
    private LuaRuntime() {}

    /** Lua 5.1's default package.path, used when LUA_PATH is not set. */
    static final String LUA51_PATH = "./?.lua;/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua;"
            + "/usr/local/lib/lua/5.1/?.lua;/usr/local/lib/lua/5.1/?/init.lua;/usr/share/lua/5.1/?.lua;"
            + "/usr/share/lua/5.1/?/init.lua";

    /**
     * A fresh state with the kraken module as the global "kraken".
     *
     * @param scriptDir the script's directory: in the sandbox, the only place require looks
     */
    public static Globals create(Settings settings, Registry registry, LoopHandler loop, Path scriptDir) {
        Globals g = createForImage(settings, registry, loop, scriptDir);
        // Before any script runs: what an image at kraken.loop() refers to by path (kraken.image).
        registry.setLibraries(Libraries.index(g));
        return g;
    }

    /**
     * A fresh state that an image will fill (kraken.image): as create, without recording its
     * library objects, which only a state that runs a script needs.
     */
    public static Globals createForImage(Settings settings, Registry registry, LoopHandler loop, Path scriptDir) {
        SharedMetatables.reset();
        Globals g = new Globals();
        if (settings.sandbox) {
            installSandboxed(g, scriptDir);
        } else {
            installStandard(g, settings.luaPath);
        }
        // Before any script runs, so that a yield captured in a local is the runner's too.
        LuaTable coroutine = g.get("coroutine").checktable();
        coroutine.set("yield", registry.runner().yieldFunction(g, coroutine.get("yield")));
        LoadState.install(g);
        LuaC.install(g);
        CoroutineLimit coroutines = new CoroutineLimit(settings.limitCoroutines);
        registry.setCoroutines(coroutines);
        g.load(new Lua51Lib(settings.sandbox, coroutines).onOpenFile(ConnectionResources::track));
        if (settings.sandbox) {
            SandboxRequire.install(g, scriptDir);
        }
        LuaValue kraken = g.load(new KrakenLib(settings, registry, loop));
        g.set("kraken", kraken);
        return g;
    }

    private static void installStandard(Globals g, String env) {
        g.load(new JseBaseLib());
        g.load(new PackageLib());
        SharedLibraries shared = SharedLibraries.get();
        shared.install(g, "bit32");
        shared.install(g, "table");
        shared.install(g, "string");
        g.load(new CoroutineLib());
        shared.install(g, "math");
        g.load(new JseOsLib());
        LuaTable pkg = g.get("package").checktable();
        removeJavaSearcher(pkg);
        pkg.set("path", env == null ? LUA51_PATH : env.replace(";;", ";" + LUA51_PATH + ";"));
    }

    private static void installSandboxed(Globals g, Path scriptDir) {
        g.load(new JseBaseLib());
        g.load(new PackageLib());
        SharedLibraries shared = SharedLibraries.get();
        shared.install(g, "table");
        shared.install(g, "string");
        g.load(new CoroutineLib());
        shared.install(g, "math");
        g.load(new JseOsLib());
        g.set("dofile", LuaValue.NIL);
        g.set("loadfile", LuaValue.NIL);
        LuaTable os = g.get("os").checktable();
        LuaTable safeOs = new LuaTable();
        for (String name : new String[] {"time", "clock", "date", "difftime"}) {
            safeOs.set(name, os.get(name));
        }
        g.set("os", safeOs);
        LuaTable pkg = g.get("package").checktable();
        removeJavaSearcher(pkg);
        pkg.set("loadlib", LuaValue.NIL);
        pkg.set("cpath", "");
        String dir = scriptDir == null ? "." : scriptDir.toString();
        pkg.set("path", dir + "/?.lua");
        g.get("package").get("loaded").set("os", safeOs);
        g.get("package").get("loaded").set("io", LuaValue.NIL);
        g.get("package").get("loaded").set("bit32", LuaValue.NIL);
        // Text chunks only: a binary chunk can break the VM's invariants.
        g.undumper = null;
    }

    private static void removeJavaSearcher(LuaTable pkg) {
        LuaTable searchers = pkg.get("searchers").checktable();
        LuaTable kept = new LuaTable();
        kept.set(1, searchers.get(1)); // preload
        kept.set(2, searchers.get(2)); // Lua files on package.path
        pkg.set("searchers", kept);
    }
}
