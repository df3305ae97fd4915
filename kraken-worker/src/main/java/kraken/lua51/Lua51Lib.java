package kraken.lua51;

import java.util.Map;
import java.util.WeakHashMap;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.CallTracker;
import org.luaj.vm2.lib.FileMethods;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Lua 5.1 functions that LuaJ (a Lua 5.2) lacks or does differently, with 5.1 semantics, so
 * scripts written for the original Kraken run unchanged. Loaded after the standard libraries.
 *
 * A 5.1 function environment is, in LuaJ, the closure's _ENV upvalue, which the closures a
 * function creates share with it. setfenv therefore gives the target closure a new upvalue of
 * its own: the function and the closures it creates from then on see the new table, closures
 * created before keep the old one, as in 5.1. Stack levels come from a {@link CallTracker}.
 */
public final class Lua51Lib extends TwoArgFunction {
    private static final LuaString ENV = valueOf("_ENV");

    private final boolean sandbox;
    private final CoroutineLimit coroutines;
    private Globals globals;
    private CallTracker tracker;
    /** The thread's global table in 5.1's sense: what setfenv(0, t) changes and loadstring uses. */
    private LuaValue globalEnv;
    /** Environments set on closures that use no global, so have no _ENV upvalue to hold one. */
    private final Map<LuaValue, LuaValue> orphanEnvs = new WeakHashMap<>();
    private int gcPause = 200;
    private int gcStepMul = 200;

    public Lua51Lib(boolean sandbox) {
        this(sandbox, new CoroutineLimit(Integer.MAX_VALUE));
    }

    public Lua51Lib(boolean sandbox, CoroutineLimit coroutines) {
        this.sandbox = sandbox;
        this.coroutines = coroutines;
    }

    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        globals = env.checkglobals();
        globalEnv = globals;
        ErrorMessages messages = new ErrorMessages();
        tracker = new CallTracker(messages);
        tracker.call(EMPTYSTRING, globals);
        messages.tracker = tracker;
        globals.running.errorfunc = messages;
        if (sandbox) {
            // Stack levels are needed in the sandbox too, but not the debug library itself.
            globals.set("debug", NIL);
            globals.get("package").get("loaded").set("debug", NIL);
        }
        installBase();
        installPackage();
        installTable();
        installMath();
        installString();
        installIo();
        WeakTables.install(globals);
        Lua51Compiler.install(globals);
        new Lua51Coroutines(this, coroutines).install(globals.get("coroutine"));
        return env;
    }

    private void installBase() {
        globals.set("_VERSION", "Lua 5.1");
        globals.set("loadstring", new loadstring());
        globals.set("unpack", new unpack());
        globals.set("getfenv", new getfenv());
        globals.set("setfenv", new setfenv());
        globals.set("module", new module());
        globals.set("gcinfo", new gcinfo());
        globals.set("newproxy", new newproxy());
        globals.set("collectgarbage", new collectgarbage());
        globals.set("error", new error());
        globals.set("pcall", new pcall());
        globals.set("xpcall", new xpcall());
        globals.set("tostring", new tostring());
        globals.set("tonumber", new tonumber());
        if (sandbox) {
            globals.set("load", new textload(globals.get("load")));
        }
    }

    private void installPackage() {
        LuaValue pkg = globals.get("package");
        pkg.set("seeall", new seeall());
        pkg.set("loaders", pkg.get("searchers"));
        new Lua51Require(globals, sandbox).install(pkg);
        if (pkg.get("cpath").isnil()) {
            // 5.1 scripts read package.cpath as a string (LuaJ has none). Nothing loads C
            // libraries here, so it only reports what lua5.1 would search.
            String env = System.getenv("LUA_CPATH");
            pkg.set("cpath", env == null ? LUA51_CPATH : env.replace(";;", ";" + LUA51_CPATH + ";"));
        }
    }

    /** Lua 5.1's default package.cpath, used when LUA_CPATH is not set. */
    static final String LUA51_CPATH = "./?.so;/usr/local/lib/lua/5.1/?.so;/usr/local/lib/lua/5.1/loadall.so";

    private void installTable() {
        LuaValue table = globals.get("table");
        table.set("getn", new getn());
        table.set("maxn", new maxn());
        table.set("foreach", new foreach());
        table.set("foreachi", new foreachi());
        table.set("concat", new concat());
    }

    private void installMath() {
        LuaValue math = globals.get("math");
        math.set("mod", new fmod());
        math.set("fmod", new fmod());
        math.set("log10", new log10());
        if (math.get("pow").isnil()) {
            math.set("pow", new pow());
        }
    }

    private void installString() {
        LuaValue string = globals.get("string");
        for (String name : new String[] {"find", "match", "gmatch", "gsub"}) {
            string.set(name, new patternGuard(string.get(name)));
        }
        LuaValue gmatch = new gmatch(string.get("find"));
        string.set("gmatch", gmatch);
        string.set("gfind", gmatch);
        string.set("format", new StringFormat());
    }

    private void installIo() {
        LuaValue io = globals.get("io");
        if (io.istable()) {
            LuaTable fileMethods = FileMethods.of(io.get("write"));
            io.set("write", new numbersAsText(io.get("write")));
            if (fileMethods != null) {
                fileMethods.set("write", new numbersAsText(fileMethods.get("write")));
            }
        }
    }

    Globals globals() {
        return globals;
    }

    /** 5.1's luaL_where: "chunk:line: " for the Lua function at a stack level, else "". */
    String where(int level) {
        LuaFunction f = tracker.functionAt(level);
        int line = tracker.lineAt(level);
        if (f instanceof LuaClosure c && line > 0) {
            return ErrorMessages.chunkId(c.p.source) + ":" + line + ": ";
        }
        return "";
    }

    /** A 5.1 argument error: "bad argument #n to 'name' (message)". */
    static LuaError argError(int arg, String name, String message) {
        return new LuaError("bad argument #" + arg + " to '" + name + "' (" + message + ")");
    }

    private static LuaTable checkTable(Varargs args, int arg, String name) {
        LuaValue v = args.arg(arg);
        if (!v.istable()) {
            throw argError(arg, name, "table expected, got " + typeName(args, arg));
        }
        return (LuaTable) v;
    }

    private static LuaValue checkFunction(Varargs args, int arg, String name) {
        LuaValue v = args.arg(arg);
        if (!v.isfunction()) {
            throw argError(arg, name, "function expected, got " + typeName(args, arg));
        }
        return v;
    }

    private static LuaValue checkAny(Varargs args, int arg, String name) {
        if (arg > args.narg()) {
            throw argError(arg, name, "value expected");
        }
        return args.arg(arg);
    }

    static String typeName(Varargs args, int arg) {
        return arg > args.narg() ? "no value" : args.arg(arg).typename();
    }

    // ---- environments

    /**
     * The function that getfenv/setfenv's first argument names: a function, or a stack level
     * (1 = the caller). Null for level 0, the thread's global environment.
     */
    private LuaValue functionOrLevel(Varargs args, String name, boolean levelOptional) {
        LuaValue f = args.arg1();
        if (f.isfunction()) {
            return f;
        }
        if (!f.isnil() && !f.isnumber() || f.isnil() && !levelOptional) {
            throw argError(1, name, "number expected, got " + typeName(args, 1));
        }
        int level = f.isnil() ? 1 : f.toint();
        if (level < 0) {
            throw argError(1, name, "level must be non-negative");
        }
        if (level == 0) {
            return null;
        }
        LuaFunction fn = tracker.functionAt(level);
        if (fn == null) {
            throw argError(1, name, "invalid level");
        }
        return fn;
    }

    private static int envUpvalue(LuaClosure c) {
        for (int i = 0; i < c.p.upvalues.length && i < c.upValues.length; i++) {
            if (ENV.eq_b(c.p.upvalues[i].name)) {
                return i;
            }
        }
        return -1;
    }

    LuaValue envOf(LuaValue f) {
        if (f instanceof LuaClosure c) {
            int i = envUpvalue(c);
            if (i >= 0) {
                return c.upValues[i].getValue();
            }
            LuaValue env = orphanEnvs.get(c);
            return env != null ? env : globalEnv;
        }
        return globalEnv;
    }

    void setEnv(LuaClosure c, LuaValue env) {
        int i = envUpvalue(c);
        if (i >= 0) {
            c.upValues[i] = new UpValue(new LuaValue[] {env}, 0);
        } else {
            orphanEnvs.put(c, env);
        }
    }

    final class getfenv extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = functionOrLevel(args, "getfenv", true);
            return f == null ? globalEnv : envOf(f);
        }
    }

    final class setfenv extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable env = checkTable(args, 2, "setfenv");
            LuaValue f = functionOrLevel(args, "setfenv", false);
            if (f == null) {
                globalEnv = env;
                return NONE;
            }
            if (!(f instanceof LuaClosure c)) {
                throw new LuaError("'setfenv' cannot change environment of given object");
            }
            setEnv(c, env);
            return c;
        }
    }

    final class loadstring extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            String chunkname = args.optjstring(2, s.tojstring());
            if (sandbox && s.length() > 0 && s.luaByte(0) == 27) {
                return varargsOf(NIL, valueOf("binary chunks are not allowed in the sandbox"));
            }
            try {
                LuaValue f = globals.load(s.toInputStream(), chunkname, sandbox ? "t" : "bt", globals);
                if (globalEnv != globals && f instanceof LuaClosure c) {
                    setEnv(c, globalEnv);
                }
                return f;
            } catch (LuaError e) {
                return varargsOf(NIL, valueOf(ErrorMessages.rewordSyntaxError(e.getMessage())));
            }
        }
    }

    /** The sandbox's load: text chunks only (the sandbox has no undumper at all). */
    static final class textload extends VarArgFunction {
        private final LuaValue load;

        textload(LuaValue load) {
            this.load = load;
        }

        @Override
        public Varargs invoke(Varargs args) {
            return load.invoke(varargsOf(new LuaValue[] {args.arg(1), args.arg(2), valueOf("t")}, args.subargs(4)));
        }
    }

    // ---- modules

    final class module extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String name = args.checkjstring(1);
            LuaValue loaded = globals.get("package").get("loaded");
            LuaValue mod = loaded.get(name);
            if (!mod.istable()) {
                mod = findTable(globalEnv, name);
                if (mod == null) {
                    throw new LuaError("name conflict for module '" + name + "'");
                }
                loaded.set(name, mod);
            }
            if (mod.get("_NAME").isnil()) {
                mod.set("_M", mod);
                mod.set("_NAME", name);
                mod.set("_PACKAGE", name.substring(0, name.lastIndexOf('.') + 1));
            }
            if (!(tracker.functionAt(1) instanceof LuaClosure caller)) {
                throw new LuaError("'module' not called from a Lua function");
            }
            setEnv(caller, mod);
            for (int i = 2; i <= args.narg(); i++) {
                args.arg(i).call(mod);
            }
            return NONE;
        }

        /** luaL_findtable: walks "a.b.c" from t, creating missing tables; null on a non-table in the way. */
        private LuaValue findTable(LuaValue t, String dotted) {
            for (String part : dotted.split("\\.", -1)) {
                LuaValue next = t.rawget(part);
                if (next.isnil()) {
                    next = new LuaTable();
                    t.set(part, next);
                } else if (!next.istable()) {
                    return null;
                }
                t = next;
            }
            return t;
        }
    }

    final class seeall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable m = checkTable(args, 1, "seeall");
            LuaValue mt = m.getmetatable();
            if (mt == null) {
                mt = new LuaTable();
                m.setmetatable(mt);
            }
            mt.set(INDEX, globalEnv);
            return NONE;
        }
    }

    // ---- errors

    /** error(message [, level]): the position of the function at that level, as 5.1's luaL_where. */
    final class error extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue message = args.arg1();
            int level = args.optint(2, 1);
            if ((message.type() == TSTRING || message.type() == TNUMBER) && level > 0) {
                message = valueOf(where(level) + tostring.text(message));
            }
            throw new LuaError(message);
        }
    }

    /** What a failed protected call returns as its message. */
    static LuaValue messageOf(Throwable e) {
        if (e instanceof LuaError le) {
            LuaValue m = le.getMessageObject();
            return m != null ? m : NIL;
        }
        if (e instanceof StackOverflowError) {
            return valueOf("stack overflow");
        }
        String m = e.getMessage();
        return valueOf(m != null ? m : e.toString());
    }

    final class pcall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = checkAny(args, 1, "pcall");
            int depth = tracker.depth();
            tracker.onCall(this);
            try {
                return varargsOf(TRUE, f.invoke(args.subargs(2)));
            } catch (LuaError | StackOverflowError e) {
                return varargsOf(FALSE, messageOf(e));
            } catch (RuntimeException e) {
                return varargsOf(FALSE, messageOf(e));
            } finally {
                tracker.unwindTo(depth);
            }
        }
    }

    /**
     * xpcall(f, handler) as in 5.1: f gets no arguments; the handler gets the error value and its
     * result is returned. The handler runs once the stack is unwound (a traceback made there shows
     * xpcall's caller, not the error's position).
     */
    final class xpcall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.arg1();
            LuaValue handler = checkAny(args, 2, "xpcall");
            int depth = tracker.depth();
            tracker.onCall(this);
            try {
                return varargsOf(TRUE, f.invoke(NONE));
            } catch (LuaError | StackOverflowError e) {
                tracker.unwindTo(depth + 1);
                return varargsOf(FALSE, handle(handler, messageOf(e)));
            } catch (RuntimeException e) {
                tracker.unwindTo(depth + 1);
                return varargsOf(FALSE, handle(handler, messageOf(e)));
            } finally {
                tracker.unwindTo(depth);
            }
        }

        private LuaValue handle(LuaValue handler, LuaValue message) {
            try {
                return handler.call(message);
            } catch (LuaError | StackOverflowError e) {
                return valueOf("error in error handling");
            }
        }
    }

    // ---- base library

    final class unpack extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = checkTable(args, 1, "unpack");
            int i = args.isnil(2) ? 1 : args.checkint(2);
            int e = args.isnil(3) ? t.rawlen() : args.checkint(3);
            if (i > e) {
                return NONE;
            }
            long n = (long) e - i + 1;
            if (n >= 8_000_000) {
                throw new LuaError("too many results to unpack");
            }
            LuaValue[] v = new LuaValue[(int) n];
            for (int k = 0; k < n; k++) {
                v[k] = t.rawget(i + k);
            }
            return varargsOf(v);
        }
    }

    static final class tostring extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue v = checkAny(args, 1, "tostring");
            LuaValue h = v.metatag(TOSTRING);
            if (!h.isnil()) {
                return h.call(v);
            }
            return v.type() == TSTRING ? v : valueOf(text(v));
        }

        /** A value's 5.1 text without metamethods: numbers as "%.14g". */
        static String text(LuaValue v) {
            return switch (v.type()) {
                case TNUMBER -> CFormat.number(v.todouble());
                // LuaJ shows the Java object inside; 5.1 shows an address. Kraken's own userdata
                // (sockets) name themselves.
                case TUSERDATA -> v.getClass() != org.luaj.vm2.LuaUserdata.class ? v.tojstring()
                        : "userdata: 0x" + Integer.toHexString(System.identityHashCode(v.touserdata()));
                default -> v.tojstring();
            };
        }
    }

    /** tonumber(e [, base]) as in 5.1 (lbaselib.c luaB_tonumber with strtod/strtoul). */
    static final class tonumber extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            int base = args.isnil(2) ? 10 : args.checkint(2);
            if (base == 10) {
                LuaValue v = checkAny(args, 1, "tonumber");
                if (v.type() == TNUMBER) {
                    return v;
                }
                if (v.type() != TSTRING) {
                    return NIL;
                }
                Double d = Lua51Numbers.parse(StringFormat.bytes(v.checkstring()));
                return d == null ? NIL : valueOf(d);
            }
            if (!args.isstring(1)) {
                throw argError(1, "tonumber", "string expected, got " + typeName(args, 1));
            }
            if (base < 2 || base > 36) {
                throw argError(2, "tonumber", "base out of range");
            }
            Double d = Lua51Numbers.parseInteger(StringFormat.bytes(args.checkstring(1)), base);
            return d == null ? NIL : valueOf(d);
        }
    }

    final class collectgarbage extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String opt = args.isnil(1) ? "collect" : args.checkjstring(1);
            int arg = args.optint(2, 0);
            switch (opt) {
                case "collect", "stop", "restart" -> {
                    if (opt.equals("collect")) {
                        System.gc();
                    }
                    return ZERO;
                }
                case "count" -> {
                    return valueOf(usedBytes() / 1024.0);
                }
                case "step" -> {
                    System.gc();
                    return TRUE;
                }
                case "setpause" -> {
                    int old = gcPause;
                    gcPause = arg;
                    return valueOf(old);
                }
                case "setstepmul" -> {
                    int old = gcStepMul;
                    gcStepMul = arg;
                    return valueOf(old);
                }
                default -> throw argError(1, "collectgarbage", "invalid option '" + opt + "'");
            }
        }
    }

    static long usedBytes() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static final class gcinfo extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return valueOf((int) (usedBytes() / 1024));
        }
    }

    /** newproxy([true | proxy]): an empty userdata, with a new metatable or another proxy's. */
    static final class newproxy extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue a = args.arg1();
            LuaValue mt = null;
            if (a.toboolean() && a.type() == TBOOLEAN) {
                mt = new LuaTable();
            } else if (a.type() == TUSERDATA && a.touserdata() instanceof Proxy) {
                mt = a.getmetatable();
            } else if (a.toboolean()) {
                throw argError(1, "newproxy", "boolean or proxy expected");
            }
            return new LuaUserdata(new Proxy(), mt);
        }

        /** What marks a userdata as made by newproxy. */
        static final class Proxy {}
    }

    // ---- table

    static final class getn extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return valueOf(checkTable(args, 1, "getn").rawlen());
        }
    }

    static final class maxn extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = checkTable(args, 1, "maxn");
            double max = 0;
            for (Varargs e = t.next(NIL); !e.isnil(1); e = t.next(e.arg1())) {
                if (e.arg1().type() == TNUMBER) {
                    max = Math.max(max, e.arg1().todouble());
                }
            }
            return valueOf(max);
        }
    }

    static final class foreach extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = checkTable(args, 1, "foreach");
            LuaValue f = checkFunction(args, 2, "foreach");
            for (Varargs e = t.next(NIL); !e.isnil(1); e = t.next(e.arg1())) {
                LuaValue r = f.call(e.arg1(), e.arg(2));
                if (!r.isnil()) {
                    return r;
                }
            }
            return NONE;
        }
    }

    static final class foreachi extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = checkTable(args, 1, "foreachi");
            LuaValue f = checkFunction(args, 2, "foreachi");
            for (int i = 1, n = t.rawlen(); i <= n; i++) {
                LuaValue r = f.call(valueOf(i), t.rawget(i));
                if (!r.isnil()) {
                    return r;
                }
            }
            return NONE;
        }
    }

    /** table.concat as 5.1's: numbers as "%.14g", any other non-string an error naming its index. */
    static final class concat extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaTable t = checkTable(args, 1, "concat");
            LuaString sep = args.isnil(2) ? EMPTYSTRING : args.checkstring(2);
            int i = args.isnil(3) ? 1 : args.checkint(3);
            int j = args.isnil(4) ? t.rawlen() : args.checkint(4);
            StringBuilder sb = new StringBuilder();
            String separator = StringFormat.bytes(sep);
            for (int k = i; k <= j; k++) {
                LuaValue v = t.rawget(k);
                if (v.type() == TNUMBER) {
                    sb.append(CFormat.number(v.todouble()));
                } else if (v.type() == TSTRING) {
                    sb.append(StringFormat.bytes(v.checkstring()));
                } else {
                    throw new LuaError("invalid value (" + v.typename() + ") at index " + k + " in table for 'concat'");
                }
                if (k < j) {
                    sb.append(separator);
                }
            }
            return valueOf(sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }

    // ---- math

    /** C's fmod, which Java's % on doubles is; LuaJ computes it through floor and loses precision. */
    static final class fmod extends TwoArgFunction {
        @Override
        public LuaValue call(LuaValue x, LuaValue y) {
            return valueOf(x.checkdouble() % y.checkdouble());
        }
    }

    static final class log10 extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue x) {
            return valueOf(Math.log10(x.checkdouble()));
        }
    }

    static final class pow extends TwoArgFunction {
        @Override
        public LuaValue call(LuaValue x, LuaValue y) {
            return valueOf(Math.pow(x.checkdouble(), y.checkdouble()));
        }
    }

    // ---- string

    /**
     * string.gmatch as 5.1's gmatch_aux, on top of string.find: LuaJ's own loops forever on a
     * pattern that matches the empty string. After an empty match the next search starts one
     * character further on.
     */
    static final class gmatch extends VarArgFunction {
        private final LuaValue find;

        gmatch(LuaValue find) {
            this.find = find;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaString s = args.checkstring(1);
            LuaString pattern = args.checkstring(2);
            return new VarArgFunction() {
                private int init = 1;

                @Override
                public Varargs invoke(Varargs unused) {
                    if (init > s.length() + 1) {
                        return NIL;
                    }
                    Varargs r = find.invoke(varargsOf(s, pattern, valueOf(init)));
                    if (r.isnil(1)) {
                        init = s.length() + 2;
                        return NIL;
                    }
                    int start = r.toint(1);
                    int end = r.toint(2);
                    init = end >= start ? end + 1 : start + 1;
                    return r.narg() > 2 ? r.subargs(3) : s.substring(start - 1, end);
                }
            };
        }
    }

    /** LuaJ's matcher reads past the pattern's end on a malformed pattern; 5.1 reports it. */
    static final class patternGuard extends VarArgFunction {
        private final LuaValue f;

        patternGuard(LuaValue f) {
            this.f = f;
        }

        @Override
        public Varargs invoke(Varargs args) {
            try {
                return f.invoke(args);
            } catch (IndexOutOfBoundsException e) {
                throw new LuaError("malformed pattern");
            }
        }
    }

    // ---- io

    /** io.write and file:write: numbers as 5.1's "%.14g" text rather than LuaJ's, true on success. */
    static final class numbersAsText extends VarArgFunction {
        private final LuaValue write;

        numbersAsText(LuaValue write) {
            this.write = write;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue[] v = new LuaValue[args.narg()];
            for (int i = 0; i < v.length; i++) {
                LuaValue a = args.arg(i + 1);
                v[i] = a.type() == TNUMBER ? valueOf(CFormat.number(a.todouble())) : a;
            }
            Varargs r = write.invoke(varargsOf(v));
            // 5.1's write returns true on success; 5.2's returns the file.
            return r.isnil(1) ? r : TRUE;
        }
    }
}
