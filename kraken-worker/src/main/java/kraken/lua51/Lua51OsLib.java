package kraken.lua51;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The os library's 5.1 behaviour where LuaJ's differs: execute through /bin/sh -c returning the
 * wait status, setlocale that claims only the locales whose behaviour this layer has (see
 * {@link Locales}), remove, rename and tmpname as C's, getenv of the environment only, exit that
 * flushes standard output first, date and time as C's ({@link OsDate}). Only functions the state already has are replaced, so the
 * sandbox's os (time, clock, date, difftime) gains nothing.
 */
final class Lua51OsLib extends TwoArgFunction {
    private Globals globals;
    private final Locales locales = new Locales();

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        globals = env.checkglobals();
        LuaValue os = env.get("os");
        if (!os.istable()) {
            return NIL;
        }
        replace(os, "execute", new execute());
        replace(os, "exit", new exit(os.get("exit")));
        replace(os, "getenv", new getenv());
        replace(os, "remove", new remove());
        replace(os, "rename", new rename());
        replace(os, "tmpname", new tmpname());
        replace(os, "setlocale", new setlocale());
        replace(os, "date", new OsDate.date());
        replace(os, "time", new OsDate.time());
        return os;
    }

    private static void replace(LuaValue os, String name, LuaValue f) {
        if (!os.get(name).isnil()) {
            os.set(name, f);
        }
    }

    private static String text(Varargs args, int arg, String name) {
        return new String(Lua51Strings.check(args, arg, name), StandardCharsets.UTF_8);
    }

    /** os.execute([command]): system(3)'s value, the wait status (exit code times 256). */
    final class execute extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (args.isnil(1)) {
                return valueOf(new File("/bin/sh").canExecute() ? 1 : 0);
            }
            String command = text(args, 1, "execute");
            globals.STDOUT.flush();
            try {
                return valueOf(Shell.await(Shell.builder(command).start()) << 8);
            } catch (IOException e) {
                return valueOf(-1);
            }
        }
    }

    /** C's exit flushes stdio; the JVM's does not. */
    final class exit extends VarArgFunction {
        private final LuaValue exit;

        exit(LuaValue exit) {
            this.exit = exit;
        }

        @Override
        public Varargs invoke(Varargs args) {
            int code = Lua51Strings.optInt(args, 1, "exit", 0);
            globals.STDOUT.flush();
            globals.STDERR.flush();
            return exit.invoke(valueOf(code));
        }
    }

    /** The environment only (LuaJ also answered Java's system properties: os.getenv("user.home")). */
    static final class getenv extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String v = System.getenv(text(args, 1, "getenv"));
            return v == null ? NIL : valueOf(v);
        }
    }

    static final class remove extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String name = text(args, 1, "remove");
            File f = new File(name);
            if (f.delete()) {
                return TRUE;
            }
            return Errno.result(name, whyNot(f));
        }
    }

    static final class rename extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String from = text(args, 1, "rename");
            File to = new File(text(args, 2, "rename"));
            File f = new File(from);
            if (f.renameTo(to)) {
                return TRUE;
            }
            return Errno.result(from, whyNot(f));
        }
    }

    /** java.io.File says only false: the likeliest strerror text. */
    private static String whyNot(File f) {
        if (!f.exists() && !isSymlink(f)) {
            return "No such file or directory";
        }
        String[] entries = f.isDirectory() ? f.list() : null;
        if (entries != null && entries.length > 0) {
            return "Directory not empty";
        }
        File parent = f.getAbsoluteFile().getParentFile();
        return parent != null && !parent.canWrite() ? "Permission denied" : "Operation not permitted";
    }

    private static boolean isSymlink(File f) {
        try {
            return !f.getCanonicalFile().equals(f.getAbsoluteFile()) && !f.exists();
        } catch (IOException e) {
            return false;
        }
    }

    /** 5.1 uses mkstemp("/tmp/lua_XXXXXX"): the name of a new empty file. */
    static final class tmpname extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            java.util.Random random = new java.security.SecureRandom();
            for (int attempt = 0; attempt < 100; attempt++) {
                StringBuilder name = new StringBuilder("/tmp/lua_");
                for (int i = 0; i < 6; i++) {
                    name.append(chars.charAt(random.nextInt(chars.length())));
                }
                try {
                    if (new File(name.toString()).createNewFile()) {
                        return valueOf(name.toString());
                    }
                } catch (IOException e) {
                    break;
                }
            }
            throw new org.luaj.vm2.LuaError("unable to generate a unique filename");
        }
    }

    final class setlocale extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String locale = args.isnil(1) ? null : text(args, 1, "setlocale");
            String category = args.isnil(2) ? "all" : args.checkjstring(2);
            if (!Locales.isCategory(category)) {
                throw Arguments.error(2, "setlocale", "invalid option '" + category + "'");
            }
            String name = locales.set(locale, category);
            return name == null ? NIL : valueOf(name);
        }
    }
}
