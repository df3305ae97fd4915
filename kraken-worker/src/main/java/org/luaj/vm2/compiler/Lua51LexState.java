package org.luaj.vm2.compiler;

import java.io.IOException;
import java.io.InputStream;
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

    /** 5.1 refuses a break outside a loop where it stands, naming the token after it. */
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
