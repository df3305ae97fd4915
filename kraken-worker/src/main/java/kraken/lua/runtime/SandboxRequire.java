package kraken.lua.runtime;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The sandbox's require (docs/hostile-input.md): Lua files from the script's own folder and nothing
 * else, whatever the script does to package (path, searchers, loaders, loaded, preload), to _G,
 * to metatables or with setfenv.
 *
 * <p>Everything it depends on is held here, in Java, where Lua cannot reach: the folder, the
 * package.loaded table as it was built (read and written raw, so a metatable on it changes
 * nothing), the compiler of the state. Module names are checked (letters, digits, _ and -,
 * separated by dots, as a/b.lua for a.b) and the file's real path, symbolic links resolved, must
 * lie inside the folder. package.path only documents the folder; package.searchers and
 * package.loaders hold this searcher alone (LuaJ's own file searcher reads package.path, which
 * the script can set to anything), and package.searchpath, which tells whether any file exists,
 * is removed. package.preload works as in 5.1 (the table as it was built, read raw): what it
 * holds are the script's own functions, which reach nothing the script could not.
 */
final class SandboxRequire {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final Globals globals;
    private final LuaTable loaded;
    private final LuaTable preload;
    private final File dir;
    private final String dirPrefix;
    /** Marks a module being loaded, to detect a require loop as 5.1 does. */
    private final LuaValue loading = LuaValue.userdataOf(new Object());

    private SandboxRequire(Globals g, Path scriptDir) {
        this.globals = g;
        this.loaded = g.get("package").get("loaded").checktable();
        this.preload = g.get("package").get("preload").checktable();
        File d;
        try {
            d = new File(scriptDir == null ? "." : scriptDir.toString()).getCanonicalFile();
        } catch (IOException e) {
            d = new File(scriptDir == null ? "." : scriptDir.toString()).getAbsoluteFile();
        }
        this.dir = d;
        this.dirPrefix = d.getPath().endsWith("/") ? d.getPath() : d.getPath() + "/";
    }

    static void install(Globals g, Path scriptDir) {
        SandboxRequire r = new SandboxRequire(g, scriptDir);
        LuaTable pkg = g.get("package").checktable();
        LuaTable searchers = new LuaTable();
        searchers.set(1, r.new searcher());
        pkg.set("searchers", searchers);
        pkg.set("loaders", searchers);
        pkg.set("searchpath", LuaValue.NIL);
        pkg.set("path", r.dirPrefix + "?.lua");
        g.set("require", r.new require());
    }

    /** The file a module name stands for, inside the folder; null when there is none. */
    private File fileOf(String name) {
        if (!NAME.matcher(name).matches()) {
            return null;
        }
        File f = new File(dir, name.replace('.', '/') + ".lua");
        try {
            File real = f.getCanonicalFile();
            return real.getPath().startsWith(dirPrefix) && real.isFile() ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    private String notFound(String name) {
        return "\n\tno file '" + dirPrefix + name.replace('.', '/') + ".lua'"
                + (NAME.matcher(name).matches() ? "" : " (not a module name the sandbox loads)");
    }

    private LuaValue compile(String name, File f) {
        byte[] source;
        try (FileInputStream in = new FileInputStream(f)) {
            source = in.readAllBytes();
        } catch (IOException e) {
            throw new LuaError("error loading module '" + name + "' from file '" + f + "':\n\t" + e.getMessage());
        }
        try {
            return globals.load(new ByteArrayInputStream(source), "@" + f.getPath(), "t", globals);
        } catch (LuaError e) {
            throw new LuaError("error loading module '" + name + "' from file '" + f + "':\n\t" + e.getMessage());
        }
    }

    final class require extends OneArgFunction {
        require() {
            name = "require";
        }

        @Override
        public LuaValue call(LuaValue arg) {
            String n = arg.checkjstring();
            LuaValue have = loaded.rawget(n);
            if (have == loading) {
                throw new LuaError("loop or previous error loading module '" + n + "'");
            }
            if (have.toboolean()) {
                return have;
            }
            LuaValue chunk = preload.rawget(n);
            if (chunk.isnil()) {
                File f = fileOf(n);
                if (f == null) {
                    throw new LuaError("module '" + n + "' not found:\n\tno field package.preload['" + n + "']"
                            + notFound(n));
                }
                chunk = compile(n, f);
            }
            loaded.rawset(n, loading);
            LuaValue result;
            try {
                result = chunk.call(LuaValue.valueOf(n));
            } catch (RuntimeException e) {
                loaded.rawset(n, LuaValue.NIL);
                throw e;
            }
            if (!result.isnil()) {
                loaded.rawset(n, result);
            }
            if (loaded.rawget(n) == loading) {
                loaded.rawset(n, LuaValue.TRUE);
            }
            return loaded.rawget(n);
        }
    }

    /** package.loaders[1]: the loader of a module file of the folder, or why there is none. */
    final class searcher extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String n = args.checkjstring(1);
            File f = fileOf(n);
            return f == null ? valueOf(notFound(n)) : compile(n, f);
        }
    }
}
