package kraken.image;

import static kraken.image.ImageFormat.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import kraken.lua.module.Registry;
import kraken.lua.runtime.Libraries;
import kraken.lua.runtime.SharedMetatables;
import kraken.lua.sockets.LuaSocket;
import kraken.lua51.CoroutineBodies;
import kraken.lua51.Lua51Random;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LocVars;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.Lua51LexState;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.TableShape;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Upvaldesc;
import org.luaj.vm2.Varargs;

/**
 * Captures a Lua state at kraken.loop() as an image (docs/processes.md, "Who runs what"): the
 * bytes from which every connection's state is a copy. The walk is breadth first, iterative (no
 * nesting can overflow the Java stack), with an identity map (cycles, shared upvalues, a
 * prototype used by many closures), and writes each object as it reaches it, so an
 * image past its limit stops the walk at once. See ImageFormat for the layout.
 */
public final class ImageWriter {
    private final Libraries libraries;
    private final LuaValue globals;
    /** io.stdin, io.stdout, io.stderr: library objects that LuaJ makes only on first use. */
    private final Map<LuaValue, Libraries.Path> standardFiles;
    private final ImageOut out;
    private final Map<Object, Integer> ids = new IdentityHashMap<>();
    /** Strings by content: equal strings are one record. */
    private final Map<LuaString, Integer> strings = new HashMap<>();
    private final List<Object> objects = new ArrayList<>();
    /** For each record, what reached it first and how, to name it in an error. */
    private final List<Integer> parents = new ArrayList<>();
    private final List<String> edges = new ArrayList<>();

    private ImageWriter(Libraries libraries, LuaValue globals, long limit) {
        this.libraries = libraries;
        this.globals = globals;
        this.out = new ImageOut(limit);
        this.standardFiles = libraries.standardFiles();
    }

    private Libraries.Path pathOf(LuaValue v) {
        Libraries.Path p = libraries.pathOf(v);
        return p != null ? p : standardFiles.get(v);
    }

    /**
     * The image of g and what the script registered. Throws, naming the value and where it is
     * reachable from, when a value cannot be copied, or when the image would exceed limitBytes.
     * g must come from LuaRuntime.create, which records the libraries of the fresh state.
     */
    public static byte[] capture(Globals g, Registry registry, long limitBytes) throws ImageException {
        Libraries lib = registry.libraries();
        if (lib == null) {
            throw new IllegalArgumentException("the state was not made by LuaRuntime.create");
        }
        return new ImageWriter(lib, g, limitBytes).write(registry);
    }

    private byte[] write(Registry registry) throws ImageException {
        out.bytesRaw(MAGIC);
        // The roots: every library table the script changed (refilled in a copy, even if the
        // script no longer reaches it: the fresh state's own functions may), the shared
        // metatables, the application.
        for (LuaValue v : libraries.objects()) {
            if (v instanceof LuaTable t && !libraries.unchanged(t)) {
                id(t, -1, libraries.pathOf(t).toString());
            }
        }
        LuaValue[] shared = SharedMetatables.current();
        int[] sharedRefs = new int[shared.length];
        for (int i = 0; i < shared.length; i++) {
            sharedRefs[i] = shared[i] == null ? -1 : id(shared[i], -1, "the " + Libraries.ROOTS[i + 1]);
        }
        LuaValue random = null;
        for (LuaValue v : libraries.objects()) {
            if (Lua51Random.of(v) != null) {
                random = v;
                for (LuaValue k : libraries.pathOf(v).keys()) {
                    if (k.type() == LuaValue.TSTRING) {
                        id(k, -1, null); // the trailer's path refers to these records
                    }
                }
            }
        }
        LuaThread app = registry.application();
        int appRef = app == null ? -1 : id(app, -1, "the registered application");
        for (int i = 0; i < objects.size(); i++) {
            record(i);
        }
        out.u8(END);
        for (int r : sharedRefs) {
            ref(r);
        }
        ref(appRef);
        optionalText(registry.user());
        out.varint(registry.addresses().size());
        for (Registry.Address a : registry.addresses()) {
            text(a.host());
            out.zigzag(a.port());
            optionalText(a.path());
        }
        if (random == null) {
            out.u8(0);
        } else {
            out.u8(1);
            path(libraries.pathOf(random));
            out.u64(Lua51Random.of(random).state());
        }
        return out.toByteArray();
    }

    private void ref(int r) throws ImageException {
        if (r < 0) {
            out.u8(NIL);
        } else {
            out.u8(REF);
            out.varint(r);
        }
    }

    private void optionalText(String s) throws ImageException {
        if (s == null) {
            out.u8(0);
        } else {
            out.u8(1);
            text(s);
        }
    }

    private void text(String s) throws ImageException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.bytes(b, 0, b.length);
    }

    /** The record number of o, given one (and queued) if it has none yet. */
    private int id(Object o, int parent, String edge) {
        if (o instanceof LuaString s) {
            Integer known = strings.get(s);
            if (known != null) {
                return known;
            }
            strings.put(s, objects.size());
        } else {
            Integer known = ids.get(o);
            if (known != null) {
                return known;
            }
            ids.put(o, objects.size());
        }
        objects.add(o);
        parents.add(parent);
        edges.add(edge);
        return objects.size() - 1;
    }

    private void value(LuaValue v, int parent, String edge) throws ImageException {
        if (v == Lua51LexState.VarargTable.INSTANCE) {
            out.u8(VARARG_TABLE);
            return;
        }
        switch (v.type()) {
            case LuaValue.TNIL -> out.u8(NIL);
            case LuaValue.TBOOLEAN -> out.u8(v.toboolean() ? TRUE : FALSE);
            case LuaValue.TNUMBER -> {
                if (v.isinttype()) {
                    out.u8(INT);
                    out.zigzag(v.toint());
                } else {
                    out.u8(DOUBLE);
                    out.u64(Double.doubleToRawLongBits(v.todouble()));
                }
            }
            default -> {
                out.u8(REF);
                out.varint(id(v, parent, edge));
            }
        }
    }

    private void record(int i) throws ImageException {
        Object o = objects.get(i);
        if (o instanceof LuaString s) {
            out.u8(STRING);
            out.bytes(s.m_bytes, s.m_offset, s.m_length);
        } else if (o instanceof UpValue cell) {
            out.u8(CELL);
            value(cell.getValue(), i, null);
        } else if (o instanceof Prototype p) {
            prototype(i, p);
        } else {
            LuaValue v = (LuaValue) o;
            Libraries.Path path = pathOf(v);
            if (path != null) {
                if (v instanceof LuaTable t && !libraries.unchanged(t)) {
                    out.u8(LIBTABLE);
                    path(path);
                    table(i, t, false);
                } else {
                    out.u8(LIB);
                    path(path);
                }
            } else if (v instanceof LuaTable t) {
                out.u8(TABLE);
                table(i, t, true);
            } else if (v instanceof LuaClosure c) {
                closure(i, c);
            } else if (v instanceof LuaThread t) {
                if (t.state.status != LuaThread.STATUS_INITIAL) {
                    throw refuse(i, "a coroutine that has started");
                }
                out.u8(THREAD);
                value(CoroutineBodies.functionOf(t), i, "the function");
            } else {
                throw refuse(i, uncopyable(v));
            }
        }
    }

    private static String uncopyable(LuaValue v) {
        if (isFile(v)) {
            return "a file (open it in the application instead)";
        }
        if (v instanceof LuaSocket) {
            return "a socket";
        }
        if (v instanceof LuaFunction) {
            return "a function made by a library (what coroutine.wrap, string.gmatch or ipairs return)";
        }
        return "a " + v.typename() + " of a kind that cannot be copied (" + v.getClass().getSimpleName() + ")";
    }

    /** The 5.1 io library's files; LuaJ's file class is protected inside IoLib: known by its name. */
    private static boolean isFile(LuaValue v) {
        if (kraken.lua51.Lua51Lib.isFile(v)) {
            return true;
        }
        for (Class<?> c = v.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("org.luaj.vm2.lib.IoLib$File")) {
                return true;
            }
        }
        return false;
    }

    private void path(Libraries.Path p) throws ImageException {
        out.varint(p.root());
        out.varint(p.keys().length);
        for (LuaValue k : p.keys()) {
            if (k == Libraries.METATABLE) {
                out.u8(SEGMENT_METATABLE);
            } else if (k.isinttype()) {
                out.u8(SEGMENT_INT);
                out.zigzag(k.toint());
            } else {
                out.u8(SEGMENT_STRING);
                out.varint(id(k.checkstring(), -1, null));
            }
        }
    }

    private void table(int i, LuaTable t, boolean presized) throws ImageException {
        int slots = presized ? TableShape.arrayLength(t) : 0;
        out.varint(slots);
        int countAt = out.position();
        out.u32(0);
        LuaValue mt = t.getmetatable();
        value(mt == null ? LuaValue.NIL : mt, i, "the metatable");
        for (int k = 1; k <= slots; k++) {
            value(t.rawget(k), i, "[" + k + "]");
        }
        int pairs = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs n = t.next(k);
            k = n.arg1();
            if (k.isnil()) {
                break;
            }
            if (k.isinttype() && k.toint() >= 1 && k.toint() <= slots) {
                continue;
            }
            value(k, i, "a key");
            value(n.arg(2), i, fieldName(t, k));
            pairs++;
        }
        out.patch32(countAt, pairs);
    }

    private String fieldName(LuaTable t, LuaValue k) {
        if (k.type() == LuaValue.TSTRING) {
            return (t == globals ? "global '" : "field '") + k.tojstring() + "'";
        }
        if (k.type() == LuaValue.TNUMBER) {
            return "[" + k.tojstring() + "]";
        }
        return "a value keyed by a " + k.typename();
    }

    private void closure(int i, LuaClosure c) throws ImageException {
        out.u8(CLOSURE);
        out.varint(id(c.p, i, null));
        UpValue[] ups = c.upValues;
        out.varint(ups.length);
        for (int u = 0; u < ups.length; u++) {
            if (ups[u] == null) {
                out.u8(0);
            } else {
                // The chain stops at the function: its position names it well enough.
                out.varint(id(ups[u], -1, "upvalue '" + upvalueName(c.p, u) + "' of " + functionName(c.p)) + 1L);
            }
        }
    }

    private static String upvalueName(Prototype p, int u) {
        return u < p.upvalues.length && p.upvalues[u].name != null ? p.upvalues[u].name.tojstring() : "?";
    }

    static String functionName(Prototype p) {
        return "function at " + p.shortsource() + ":" + p.linedefined;
    }

    private void prototype(int i, Prototype p) throws ImageException {
        out.u8(PROTO);
        out.varint(p.linedefined);
        out.varint(p.lastlinedefined);
        out.varint(p.numparams);
        out.varint(p.is_vararg);
        out.varint(p.maxstacksize);
        optionalString(p.source);
        out.varint(p.code.length);
        for (int c : p.code) {
            out.u32(c);
        }
        out.varint(p.k.length);
        for (LuaValue k : p.k) {
            value(k, i, null);
        }
        out.varint(p.p.length);
        for (Prototype child : p.p) {
            out.varint(id(child, i, null));
        }
        int[] lines = p.lineinfo == null ? new int[0] : p.lineinfo;
        out.varint(lines.length);
        for (int l : lines) {
            out.zigzag(l);
        }
        LocVars[] locals = p.locvars == null ? new LocVars[0] : p.locvars;
        out.varint(locals.length);
        for (LocVars l : locals) {
            out.varint(id(l.varname, -1, null));
            out.varint(l.startpc);
            out.varint(l.endpc);
        }
        out.varint(p.upvalues.length);
        for (Upvaldesc u : p.upvalues) {
            optionalString(u.name);
            out.u8(u.instack ? 1 : 0);
            out.varint(u.idx);
        }
    }

    private void optionalString(LuaString s) throws ImageException {
        out.varint(s == null ? 0 : id(s, -1, null) + 1L);
    }

    private ImageException refuse(int i, String what) {
        return new ImageException("kraken.loop: the state cannot be copied into the workers: " + what
                + " (" + describe(i) + ")");
    }

    /** Where record i is reachable from: "field 'x' of global 't'", "upvalue 'f' of function at app.lua:12". */
    private String describe(int i) {
        StringBuilder b = new StringBuilder();
        for (int steps = 0; i >= 0 && steps < 12; steps++) {
            String e = edges.get(i);
            int parent = parents.get(i);
            if (e != null) {
                b.append(b.length() == 0 ? "" : " of ").append(e);
                if (objects.get(i) instanceof UpValue || parent >= 0 && objects.get(parent) == globals) {
                    return b.toString();
                }
            }
            i = parent;
        }
        return b.length() == 0 ? "reached from the libraries" : b.toString();
    }
}
