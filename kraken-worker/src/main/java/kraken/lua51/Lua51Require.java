package kraken.lua51;

import java.io.IOException;
import java.io.InputStream;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * 5.1's require and its Lua-file loader, replacing LuaJ's 5.2 ones: a loader is called with the
 * module name only (5.2 adds the file name, which a 5.1 module(...) would take as an option), and
 * every '?' of a path template is replaced, not only the first; package.loaders has 5.1's four entries
 * (preload, Lua files, C libraries, C root libraries), the C ones only reporting what they searched.
 */
final class Lua51Require {
    private final Globals globals;
    private final boolean sandbox;
    /** Marks a module being loaded, so that a require loop is reported instead of recursing;
     * not a table, as module(...) takes a table in package.loaded for the module itself. */
    private final LuaValue sentinel = new LuaUserdata(new Object());

    Lua51Require(Globals globals, boolean sandbox) {
        this.globals = globals;
        this.sandbox = sandbox;
    }

    /** Replaces require and the file searcher; package.loaders/searchers stays the one table. */
    void install(LuaValue pkg) {
        globals.set("require", new require(pkg));
        LuaValue loaders = pkg.get("searchers");
        loaders.set(2, new fileLoader(pkg, "path", false));
        loaders.set(3, new fileLoader(pkg, "cpath", false));
        loaders.set(4, new fileLoader(pkg, "cpath", true));
        if (!pkg.get("loadlib").isnil()) {
            // LuaJ's loadlib recurses until the stack overflows. A JVM cannot load a Lua C
            // library, so it answers as lua5.1 built without dlopen does.
            pkg.set("loadlib", new loadlib());
        }
    }

    private static final class loadlib extends VarArgFunction {
        loadlib() {
            name = "loadlib";
        }

        @Override
        public Varargs invoke(Varargs args) {
            args.checkstring(1);
            args.checkstring(2);
            return varargsOf(NIL, valueOf("dynamic libraries not enabled; check your Lua installation"),
                    valueOf("absent"));
        }
    }

    private final class require extends OneArgFunction {
        private final LuaValue pkg;

        require(LuaValue pkg) {
            this.pkg = pkg;
            name = "require";
        }

        @Override
        public LuaValue call(LuaValue arg) {
            if (!arg.isstring()) {
                throw Arguments.error(1, "require", "string expected, got " + arg.typename());
            }
            LuaString modname = arg.checkstring();
            LuaValue loaded = pkg.get("loaded");
            LuaValue have = loaded.get(modname);
            if (have.toboolean()) {
                if (have == sentinel) {
                    throw new LuaError("loop or previous error loading module '" + modname + "'");
                }
                return have;
            }
            LuaValue loaders = pkg.get("loaders");
            if (!loaders.istable()) {
                throw new LuaError("'package.loaders' must be a table");
            }
            StringBuilder tried = new StringBuilder();
            LuaValue loader = NIL;
            for (int i = 1; ; i++) {
                LuaValue searcher = loaders.get(i);
                if (searcher.isnil()) {
                    throw new LuaError("module '" + modname + "' not found:" + tried);
                }
                LuaValue found = searcher.call(modname);
                if (found.isfunction()) {
                    loader = found;
                    break;
                }
                if (found.isstring()) {
                    tried.append(found.tojstring());
                }
            }
            loaded.set(modname, sentinel);
            LuaValue result = loader.call(modname);
            if (!result.isnil()) {
                loaded.set(modname, result);
            }
            if (loaded.get(modname) == sentinel) {
                loaded.set(modname, TRUE);
            }
            return loaded.get(modname);
        }
    }

    /**
     * 5.1's loader_Lua (field "path") and loader_C (field "cpath"): the first readable file of the
     * path, names' dots made slashes. A C library cannot be loaded into LuaJ, so one found on
     * package.cpath is reported as lua5.1 built without dlopen reports it; one not found adds its
     * "no file" lines to require's message as in 5.1.
     */
    private final class fileLoader extends OneArgFunction {
        private final LuaValue pkg;
        private final String field;
        /** 5.1's loader_Croot: for "a.b.c", the library of the root name "a". */
        private final boolean root;

        fileLoader(LuaValue pkg, String field, boolean root) {
            this.pkg = pkg;
            this.field = field;
            this.root = root;
        }

        @Override
        public LuaValue call(LuaValue arg) {
            String modname = arg.checkjstring();
            int dot = modname.indexOf('.');
            if (root && dot < 0) {
                return NIL;
            }
            LuaValue path = pkg.get(field);
            if (!path.isstring()) {
                throw new LuaError("'package." + field + "' must be a string");
            }
            String file = root ? modname.substring(0, dot) : modname.replace('.', '/');
            StringBuilder tried = new StringBuilder();
            for (String template : path.tojstring().split(";")) {
                if (template.isEmpty()) {
                    continue;
                }
                String filename = template.replace("?", file);
                InputStream in = globals.finder.findResource(filename);
                if (in == null) {
                    tried.append("\n\tno file '").append(filename).append('\'');
                    continue;
                }
                try (in) {
                    if (field.equals("cpath")) {
                        throw new LuaError("error loading module '" + modname + "' from file '" + filename
                                + "':\n\tdynamic libraries not enabled; check your Lua installation");
                    }
                    return globals.load(in, "@" + filename, sandbox ? "t" : "bt", globals);
                } catch (IOException e) {
                    throw new LuaError("error loading module '" + modname + "' from file '" + filename + "':\n\t"
                            + e.getMessage());
                } catch (LuaError e) {
                    if (field.equals("cpath")) {
                        throw e;
                    }
                    throw new LuaError("error loading module '" + modname + "' from file '" + filename + "':\n\t"
                            + e.getMessageObject().tojstring());
                }
            }
            return valueOf(tried.toString());
        }
    }
}
