package org.luaj.vm2.compiler;

import java.io.IOException;
import java.io.InputStream;
import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;

/**
 * LuaJ's parser with the token a syntax error was found at. LuaJ's lexer computes 5.1's
 * "near '<token>'" and drops it, and says "unexpected symbol 286 (\u011e)" for 5.1's "unexpected
 * symbol"; this subclass raises a {@link Failure} that keeps the parts, and kraken.lua51's
 * compiler words the message as lua5.1 does. It lives in LuaJ's package because the lexer's
 * error method, token text and parser entry are package-private there.
 */
public final class Lua51LexState extends LexState {

    /** A syntax error: the line, 5.1's wording of what is wrong, and the token's text (or null). */
    public static final class Failure extends LuaError {
        private static final long serialVersionUID = 1L;
        public final int line;
        public final String detail;
        public final String near;

        Failure(int line, String detail, String near) {
            super(detail);
            this.line = line;
            this.detail = detail;
            this.near = near;
        }
    }

    private Lua51LexState(LuaC.CompileState state, InputStream stream) {
        super(state, stream);
    }

    /** Compiles a chunk as LuaC does, raising {@link Failure} on a syntax error. */
    public static Prototype parse(InputStream stream, String chunkname) throws IOException {
        LuaC.CompileState state = new LuaC.CompileState();
        Lua51LexState lexer = new Lua51LexState(state, stream);
        FuncState main = new FuncState();
        lexer.fs = main;
        LuaString source = (LuaString) LuaValue.valueOf(chunkname);
        lexer.setinput(state, stream.read(), stream, source);
        main.f = new Prototype();
        main.f.source = source;
        lexer.mainfunc(main);
        return main.f;
    }

    /**
     * 5.1 has no empty statement: a ';' may only follow a statement ("x = 1;"), so one is taken
     * after each statement here and a ';' where a statement starts is "unexpected symbol".
     */
    @Override
    void statement() {
        int first = currentToken();
        if (first == ';') {
            syntaxerror("unexpected symbol");
        }
        super.statement();
        if (first != TK_RETURN) {
            testnext(';');  // a return takes its own
        }
    }

    /**
     * 5.1's LUA_COMPAT_VARARG: a vararg function has a local {@code arg} after its parameters,
     * {@code {...; n = select('#', ...)}} when its body never uses {@code ...}, nil when it does.
     * Which one is known only at the function's end, so three instructions are emitted here, at
     * the function's start (the table built by {@link VarargTable}), and {@link #close_func}
     * turns them into "arg = nil" if the body used {@code ...}.
     */
    @Override
    void parlist() {
        super.parlist();
        if (fs.f.is_vararg != 0) {
            new_localvarliteral("arg");
            adjustlocalvars(1);
            int a = fs.freereg;
            fs.reserveregs(1);
            fs.checkstack(1);  // the call's vararg register, above arg
            int pc = fs.codeABx(Lua.OP_LOADK, a, 0);  // the constant is set in close_func
            fs.codeABC(Lua.OP_VARARG, a + 1, 0, 0);
            fs.codeABC(Lua.OP_CALL, a, 0, 2);
            argTables.put(fs, pc);
        }
    }

    /** The functions whose body used {@code ...}: their {@code arg} is nil. */
    private final java.util.Set<FuncState> usesVarargs = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** For each vararg function being parsed, the pc of its {@code arg} table's first instruction. */
    private final java.util.Map<FuncState, Integer> argTables = new java.util.IdentityHashMap<>();

    @Override
    void simpleexp(LexState.expdesc v) {
        if (currentToken() == TK_DOTS) {
            usesVarargs.add(fs);
        }
        super.simpleexp(v);
    }

    @Override
    void close_func() {
        FuncState closing = fs;
        Integer pc = argTables.remove(closing);
        boolean usedVarargs = usesVarargs.remove(closing);
        int k = pc == null || usedVarargs ? 0 : closing.addk(VarargTable.INSTANCE);
        super.close_func();  // adds the final return, so the body has an instruction after ours
        if (pc != null) {
            int[] code = closing.f.code;
            int a = Lua.GETARG_A(code[pc]);
            if (usedVarargs) {
                code[pc] = CREATE_ABC(Lua.OP_LOADNIL, a, 0, 0);
                code[pc + 1] = CREATE_ABx(Lua.OP_JMP, 0, 1 + Lua.MAXARG_sBx);  // over the call
            } else {
                code[pc] = CREATE_ABx(Lua.OP_LOADK, a, k);
            }
            // 5.1 builds arg before the first instruction: line hooks and activelines see the body only.
            int[] lines = closing.f.lineinfo;
            java.util.Arrays.fill(lines, pc, pc + 3, lines[pc + 3]);
        }
    }

    /** {@code {...; n = select('#', ...)}}: 5.1's arg table, counting trailing nils in n. */
    public static final class VarargTable extends org.luaj.vm2.lib.VarArgFunction {
        public static final VarargTable INSTANCE = new VarargTable();

        private VarargTable() {}

        @Override
        public org.luaj.vm2.Varargs invoke(org.luaj.vm2.Varargs args) {
            int n = args.narg();
            org.luaj.vm2.LuaTable t = new org.luaj.vm2.LuaTable(n, 1);
            for (int i = 1; i <= n; i++) {
                t.rawset(i, args.arg(i));
            }
            t.rawset("n", LuaValue.valueOf(n));
            return t;
        }
    }

    /** The current token; LuaJ keeps it in a private class. */
    private int currentToken() {
        try {
            return TOKEN.getInt(t);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.lang.reflect.Field TOKEN = tokenField();

    private static java.lang.reflect.Field tokenField() {
        try {
            java.lang.reflect.Field f = Class.forName("org.luaj.vm2.compiler.LexState$Token").getDeclaredField("token");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 5.1 refuses a call whose '(' starts a new line: "f\n(g)" could be two statements. */
    @Override
    void funcargs(LexState.expdesc f, int line) {
        if (currentToken() == '(' && linenumber != lastline) {
            syntaxerror("ambiguous syntax (function call x new statement)");
        }
        super.funcargs(f, line);
    }

    @Override
    void gotostat(int pc) {
        if (!insideLoop() && testnext(TK_BREAK)) {
            syntaxerror("no loop to break");
        }
        super.gotostat(pc);
    }

    private boolean insideLoop() {
        for (FuncState.BlockCnt b = fs.bl; b != null; b = b.previous) {
            if (b.isloop) {
                return true;
            }
        }
        return false;
    }

    @Override
    void lexerror(String msg, int token) {
        if (msg.startsWith("unexpected symbol ")) {
            msg = "unexpected symbol";
        } else if (msg.equals("syntax error") && token != '=' && token != ',') {
            // 5.2's expression statement that is no call; 5.1 parses it as an assignment.
            msg = "'=' expected";
        }
        // LuaJ names the end of input "<eos>" in its token table, 5.1 "<eof>".
        throw new Failure(linenumber, msg.replace("'<eos>'", "'<eof>'"), token != 0 ? tokenText(token) : null);
    }

    /** The token as 5.1 names it: the lexer's text up to its terminating NUL, "<eof>" at the end. */
    private String tokenText(int token) {
        if (token == TK_EOS) {
            return "<eof>";
        }
        String s = txtToken(token);
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }
}
