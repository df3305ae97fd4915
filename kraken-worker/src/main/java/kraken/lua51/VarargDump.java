package kraken.lua51;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.Lua51LexState;

/**
 * string.dump and load of functions that have 5.1's {@code arg} table. The 5.1 parser
 * (Lua51LexState.parlist) builds it with a Java function held as a constant, which a binary chunk
 * cannot hold; a dump writes a marker string in its place and the state's undumper (every binary
 * chunk, whether from load, loadstring, dofile or require) puts the function back.
 * The marker starts with a NUL, so no ordinary string constant is one; a chunk that forges it
 * only gets that harmless table builder.
 */
final class VarargDump {
    private VarargDump() {}

    static final LuaString MARKER = LuaString.valueOf("\0kraken: Lua 5.1 vararg arg table\0");

    /** Wraps the state's undumper, if it has one (the sandbox has none). */
    static void install(Globals globals) {
        Globals.Undumper undumper = globals.undumper;
        if (undumper != null) {
            globals.undumper = (stream, chunkname) -> {
                Prototype p = undumper.undump(stream, chunkname);
                if (p != null) {
                    afterUndump(p);
                }
                return p;
            };
        }
    }

    /** A copy of the function tree to dump, the table builder replaced by the marker. */
    static Prototype forDump(Prototype p) {
        Prototype copy = new Prototype();
        copy.k = p.k == null ? null : p.k.clone();
        if (copy.k != null) {
            for (int i = 0; i < copy.k.length; i++) {
                if (copy.k[i] == Lua51LexState.VarargTable.INSTANCE) {
                    copy.k[i] = MARKER;
                }
            }
        }
        copy.p = p.p == null ? null : new Prototype[p.p.length];
        for (int i = 0; copy.p != null && i < copy.p.length; i++) {
            copy.p[i] = forDump(p.p[i]);
        }
        copy.code = p.code;
        copy.lineinfo = p.lineinfo;
        copy.locvars = p.locvars;
        copy.upvalues = p.upvalues;
        copy.source = p.source;
        copy.linedefined = p.linedefined;
        copy.lastlinedefined = p.lastlinedefined;
        copy.numparams = p.numparams;
        copy.is_vararg = p.is_vararg;
        copy.maxstacksize = p.maxstacksize;
        return copy;
    }

    /** Puts the table builder back where an undumped function tree has the marker. */
    static void afterUndump(Prototype p) {
        for (int i = 0; p.k != null && i < p.k.length; i++) {
            LuaValue k = p.k[i];
            if (k instanceof LuaString s && s.raweq(MARKER)) {
                p.k[i] = Lua51LexState.VarargTable.INSTANCE;
            }
        }
        for (int i = 0; p.p != null && i < p.p.length; i++) {
            afterUndump(p.p[i]);
        }
    }
}
