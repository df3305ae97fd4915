package kraken.lua51;

import java.io.ByteArrayOutputStream;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The string library as 5.1 has it: find, match, gmatch (and its old name gfind) and gsub over
 * 5.1's {@link PatternMatcher}, and format ({@link StringFormat}).
 */
final class Lua51StringLib extends TwoArgFunction {
    @Override
    public LuaValue call(LuaValue modname, LuaValue env) {
        LuaValue string = env.get("string");
        string.set("find", new find());
        string.set("match", new match());
        LuaValue gmatch = new gmatch();
        string.set("gmatch", gmatch);
        string.set("gfind", gmatch);
        string.set("gsub", new gsub());
        string.set("format", new StringFormat());
        string.set("dump", new dump());
        return string;
    }

    /** string.dump keeping upvalue names (LuaJ strips them), so that load knows which one is _ENV. */
    static final class dump extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.arg1();
            if (!(f instanceof org.luaj.vm2.LuaClosure c)) {
                throw f.isfunction() ? new LuaError("unable to dump given function")
                        : Arguments.error(1, "dump", "function expected, got " + Arguments.typeName(args, 1));
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try {
                org.luaj.vm2.compiler.DumpState.dump(VarargDump.forDump(c.p), out, false);
            } catch (java.io.IOException e) {
                throw new LuaError(e.getMessage());
            }
            return Lua51Strings.valueOf(out.toByteArray());
        }
    }

    /** 5.1's posrelat: a negative position counts from the end; the result is at least 0. */
    private static int startOffset(Varargs args, int length, String name) {
        int init = Lua51Strings.optInt(args, 3, name, 1);
        if (init < 0) {
            init = length + init + 1;
        }
        init = Math.max(init, 1) - 1;
        return Math.min(init, length);
    }

    /** str_find_aux: find's positions and captures, or match's captures (the match itself if none). */
    private static Varargs findOrMatch(Varargs args, boolean find) {
        String name = find ? "find" : "match";
        byte[] s = Lua51Strings.check(args, 1, name);
        byte[] p = Lua51Strings.check(args, 2, name);
        int init = startOffset(args, s.length, name);
        PatternMatcher m = new PatternMatcher(s, p);
        if (find && (args.arg(4).toboolean() || m.plain())) {
            int at = indexOf(s, p, init);
            return at < 0 ? NIL : varargsOf(valueOf(at + 1), valueOf(at + p.length));
        }
        boolean anchor = m.pc(0) == '^';
        int pstart = anchor ? 1 : 0;
        int s1 = init;
        do {
            m.level = 0;
            int end = m.match(s1, pstart);
            if (end >= 0) {
                return find ? varargsOf(valueOf(s1 + 1), valueOf(end), m.captures(false, s1, end))
                        : m.captures(true, s1, end);
            }
        } while (s1++ < s.length && !anchor);
        return NIL;
    }

    private static int indexOf(byte[] s, byte[] p, int from) {
        outer:
        for (int i = from; i + p.length <= s.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (s[i + j] != p[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static final class find extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return findOrMatch(args, true);
        }
    }

    static final class match extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return findOrMatch(args, false);
        }
    }

    /** gmatch_aux: after an empty match the next search starts one byte further on; '^' is not an anchor. */
    static final class gmatch extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            byte[] s = Lua51Strings.check(args, 1, "gmatch");
            byte[] p = Lua51Strings.check(args, 2, "gmatch");
            return new VarArgFunction() {
                private int start;

                @Override
                public Varargs invoke(Varargs unused) {
                    PatternMatcher m = new PatternMatcher(s, p);
                    for (int src = start; src <= s.length; src++) {
                        m.level = 0;
                        int end = m.match(src, 0);
                        if (end >= 0) {
                            start = end == src ? end + 1 : end;
                            return m.captures(true, src, end);
                        }
                    }
                    start = s.length + 1;
                    return NIL;
                }
            };
        }
    }

    static final class gsub extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            byte[] src = Lua51Strings.check(args, 1, "gsub");
            byte[] p = Lua51Strings.check(args, 2, "gsub");
            LuaValue repl = args.arg(3);
            int tr = repl.type();
            if (tr != TNUMBER && tr != TSTRING && tr != TFUNCTION && tr != TTABLE) {
                throw Arguments.error(3, "gsub", "string/function/table expected");
            }
            int maxN = Lua51Strings.optInt(args, 4, "gsub", src.length + 1);
            byte[] replBytes = tr == TNUMBER || tr == TSTRING ? Lua51Strings.bytes(repl) : null;
            PatternMatcher m = new PatternMatcher(src, p);
            boolean anchor = m.pc(0) == '^';
            int pstart = anchor ? 1 : 0;
            ByteArrayOutputStream out = new ByteArrayOutputStream(src.length + 16);
            int si = 0;
            int n = 0;
            while (n < maxN) {
                m.level = 0;
                int e = m.match(si, pstart);
                if (e >= 0) {
                    n++;
                    if (replBytes != null) {
                        m.appendReplacement(out, replBytes, si, e);
                    } else {
                        appendValue(out, m, repl, si, e);
                    }
                }
                if (e >= 0 && e > si) {
                    si = e;
                } else if (si < src.length) {
                    out.write(src[si++]);
                } else {
                    break;
                }
                if (anchor) {
                    break;
                }
            }
            out.write(src, si, src.length - si);
            return varargsOf(Lua51Strings.valueOf(out.toByteArray()), valueOf(n));
        }

        private static void appendValue(ByteArrayOutputStream out, PatternMatcher m, LuaValue repl, int start, int end) {
            LuaValue v = repl.type() == TFUNCTION ? repl.invoke(m.captures(true, start, end)).arg1()
                    : repl.get(m.capture(0, start, end));
            if (!v.toboolean()) {
                v = m.matched(start, end);
            } else if (v.type() != TSTRING && v.type() != TNUMBER) {
                throw new LuaError("invalid replacement value (a " + v.typename() + ")");
            }
            byte[] b = Lua51Strings.bytes(v);
            out.write(b, 0, b.length);
        }
    }
}
