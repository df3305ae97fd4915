package kraken.image;

import static kraken.image.ImageFormat.*;

import org.luaj.vm2.LocVars;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Upvaldesc;

/**
 * A function prototype as an image carries it (ImageFormat's PROTO): read with every count
 * checked, then built once into a LuaJ Prototype that every copy shares, since no Lua code can
 * change one. The checks keep the interpreter's own arrays in bounds (registers, line numbers,
 * upvalues); the bytecode is not verified further: an image comes from a process that runs the
 * script as the workers' own user, so bad code in it can do no more than the script itself.
 */
final class ProtoRecord {
    private int linedefined;
    private int lastlinedefined;
    private int numparams;
    private int isVararg;
    private int maxstacksize;
    private int source;
    private int[] code;
    private int[] constants;
    private int[] children;
    private int[] lineinfo;
    private int[] localNames;
    private int[] localStart;
    private int[] localEnd;
    private int[] upvalueNames;
    private boolean[] upvalueInStack;
    private int[] upvalueIndex;

    static ProtoRecord read(Image.Reader r) throws ImageException {
        ImageIn in = r.in();
        ProtoRecord p = new ProtoRecord();
        p.linedefined = in.varint();
        p.lastlinedefined = in.varint();
        p.numparams = in.varint();
        p.isVararg = in.varint();
        p.maxstacksize = in.varint();
        if (p.maxstacksize > MAX_STACK || p.numparams > p.maxstacksize || p.isVararg > 7) {
            throw ImageIn.corrupt("a function prototype with impossible registers");
        }
        p.source = r.optionalString();
        int n = in.count(4);
        if (n == 0) {
            throw ImageIn.corrupt("a function prototype without code");
        }
        p.code = new int[n];
        for (int i = 0; i < n; i++) {
            p.code[i] = in.u32();
        }
        p.constants = new int[in.count(1)];
        for (int i = 0; i < p.constants.length; i++) {
            p.constants[i] = r.value(1 << STRING);
        }
        p.children = new int[in.count(1)];
        for (int i = 0; i < p.children.length; i++) {
            p.children[i] = r.ref(1 << PROTO);
        }
        p.lineinfo = new int[in.count(1)];
        if (p.lineinfo.length != 0 && p.lineinfo.length != p.code.length) {
            throw ImageIn.corrupt("line numbers that do not match the code");
        }
        for (int i = 0; i < p.lineinfo.length; i++) {
            long l = in.zigzag();
            p.lineinfo[i] = (int) l;
        }
        n = in.count(3);
        p.localNames = new int[n];
        p.localStart = new int[n];
        p.localEnd = new int[n];
        for (int i = 0; i < n; i++) {
            p.localNames[i] = r.string();
            p.localStart[i] = in.varint();
            p.localEnd[i] = in.varint();
        }
        n = in.count(3);
        if (n > 255) {
            throw ImageIn.corrupt("a function prototype with " + n + " upvalues");
        }
        p.upvalueNames = new int[n];
        p.upvalueInStack = new boolean[n];
        p.upvalueIndex = new int[n];
        for (int i = 0; i < n; i++) {
            p.upvalueNames[i] = r.optionalString();
            p.upvalueInStack[i] = in.u8() != 0;
            p.upvalueIndex[i] = in.varint();
            if (p.upvalueIndex[i] > 255) {
                throw ImageIn.corrupt("an upvalue index out of range");
            }
        }
        return p;
    }

    /** Makes every PROTO record's Prototype, links nested ones, and checks closures against them. */
    static void build(Image image) throws ImageException {
        int n = image.kinds.length;
        for (int i = 0; i < n; i++) {
            if (image.data[i] instanceof ProtoRecord r) {
                image.prototypes[i] = r.make(image);
            }
        }
        for (int i = 0; i < n; i++) {
            if (image.data[i] instanceof ProtoRecord r) {
                Prototype p = image.prototypes[i];
                for (int c = 0; c < r.children.length; c++) {
                    p.p[c] = image.prototypes[r.children[c]];
                }
            }
        }
        checkAcyclic(image);
        for (int i = 0; i < n; i++) {
            if (image.data[i] instanceof Image.Closure c
                    && image.prototypes[c.prototype()].upvalues.length != c.cells().length) {
                throw ImageIn.corrupt("a closure whose upvalues do not match its prototype");
            }
        }
    }

    private Prototype make(Image image) {
        Prototype p = new Prototype();
        p.linedefined = linedefined;
        p.lastlinedefined = lastlinedefined;
        p.numparams = numparams;
        p.is_vararg = isVararg;
        p.maxstacksize = maxstacksize;
        p.source = source < 0 ? LuaString.valueOf("=?") : (LuaString) image.strings[source];
        p.code = code;
        p.k = new LuaValue[constants.length];
        for (int i = 0; i < constants.length; i++) {
            int c = constants[i];
            p.k[i] = c < 0 ? image.constant(c) : image.strings[c];
        }
        p.p = new Prototype[children.length];
        p.lineinfo = lineinfo;
        p.locvars = new LocVars[localNames.length];
        for (int i = 0; i < localNames.length; i++) {
            p.locvars[i] = new LocVars((LuaString) image.strings[localNames[i]], localStart[i], localEnd[i]);
        }
        p.upvalues = new Upvaldesc[upvalueNames.length];
        for (int i = 0; i < upvalueNames.length; i++) {
            LuaString name = upvalueNames[i] < 0 ? null : (LuaString) image.strings[upvalueNames[i]];
            p.upvalues[i] = new Upvaldesc(name, upvalueInStack[i], upvalueIndex[i]);
        }
        return p;
    }

    /** Nested prototypes must not loop back (string.dump and debug walks recurse over them). */
    private static void checkAcyclic(Image image) throws ImageException {
        int n = image.kinds.length;
        byte[] state = new byte[n]; // 0 unseen, 1 on the path, 2 done
        int[] stack = new int[16];
        int[] next = new int[16];
        for (int root = 0; root < n; root++) {
            if (image.prototypes[root] == null || state[root] != 0) {
                continue;
            }
            int depth = 0;
            stack[0] = root;
            next[0] = 0;
            state[root] = 1;
            while (depth >= 0) {
                int[] children = ((ProtoRecord) image.data[stack[depth]]).children;
                if (next[depth] == children.length) {
                    state[stack[depth]] = 2;
                    depth--;
                    continue;
                }
                int c = children[next[depth]++];
                if (state[c] == 1) {
                    throw ImageIn.corrupt("function prototypes nested in a cycle");
                }
                if (state[c] == 0) {
                    if (depth >= MAX_NESTING) {
                        throw ImageIn.corrupt("function prototypes nested more than " + MAX_NESTING + " deep");
                    }
                    state[c] = 1;
                    if (++depth == stack.length) {
                        stack = java.util.Arrays.copyOf(stack, depth * 2);
                        next = java.util.Arrays.copyOf(next, depth * 2);
                    }
                    stack[depth] = c;
                    next[depth] = 0;
                }
            }
        }
    }
}
