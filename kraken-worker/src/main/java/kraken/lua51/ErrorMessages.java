package kraken.lua51;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.CallTracker;
import org.luaj.vm2.lib.OneArgFunction;

/**
 * Every Lua thread's error function: turns LuaJ's "@file.lua:3 message" into 5.1's
 * "file.lua:3: message", with 5.1's wording where LuaJ's differs. LuaJ calls it from the
 * closure where the error happened, before the stack unwinds, so that closure is level 1.
 * Errors raised by error() carry their 5.1 message as the error object and do not need it.
 */
final class ErrorMessages extends OneArgFunction {
    private static final Pattern INDEX = Pattern.compile("attempt to index \\? \\(a (\\w+) value\\)");
    private static final Pattern ARITH = Pattern.compile("attempt to perform arithmetic __\\w+ on (\\w+) and (\\w+)");
    private static final Pattern UNARY = Pattern.compile("attempt to perform arithmetic on (\\w+)");
    private static final Pattern CONCAT = Pattern.compile("attempt to concatenate (\\w+) and (\\w+)");
    private static final Pattern COMPARE = Pattern.compile("attempt to compare __\\w+ on (\\w+) and (\\w+)");
    private static final Pattern COMPARE_MIXED = Pattern.compile("attempt to compare (\\w+) with (\\w+) expected, got \\w+");
    private static final Pattern LENGTH = Pattern.compile("attempt to get length of (\\w+)");
    private static final Pattern SETINDEX = Pattern.compile("index expected, got (\\w+)");
    private static final Pattern CALL = Pattern.compile("attempt to call (\\w+)");

    CallTracker tracker;

    @Override
    public LuaValue call(LuaValue message) {
        String msg = message.tojstring();
        if (tracker == null || !(tracker.functionAt(1) instanceof LuaClosure c)) {
            return message;
        }
        int line = tracker.lineAt(1);
        String luajPrefix = (c.p.source != null ? c.p.source.tojstring() : "?") + ":" + (line >= 0 ? line : "?") + " ";
        if (!msg.startsWith(luajPrefix)) {
            return message;
        }
        return valueOf(chunkId(c.p.source) + ":" + line + ": " + reword(msg.substring(luajPrefix.length())));
    }

    /** The operand's description, from the failing instruction (see CallTracker.varInfo). */
    private String operand(String type, int which) {
        String info = tracker.varInfo(1, which);
        return info.isEmpty() ? "a " + type + " value" : info.substring(1) + " (a " + type + " value)";
    }

    String reword(String m) {
        Matcher x;
        if ((x = INDEX.matcher(m)).matches()) {
            return "attempt to index " + operand(x.group(1), 1);
        }
        if ((x = ARITH.matcher(m)).matches()) {
            boolean first = !x.group(1).equals("number");
            return "attempt to perform arithmetic on " + operand(first ? x.group(1) : x.group(2), first ? 1 : 2);
        }
        if ((x = UNARY.matcher(m)).matches()) {
            return "attempt to perform arithmetic on " + operand(x.group(1), 1);
        }
        if ((x = CONCAT.matcher(m)).matches()) {
            boolean first = !x.group(1).equals("string") && !x.group(1).equals("number");
            return "attempt to concatenate " + operand(first ? x.group(1) : x.group(2), first ? 1 : 2);
        }
        if ((x = COMPARE.matcher(m)).matches()) {
            return x.group(1).equals(x.group(2))
                    ? "attempt to compare two " + x.group(1) + " values"
                    : "attempt to compare " + x.group(1) + " with " + x.group(2);
        }
        if ((x = COMPARE_MIXED.matcher(m)).matches()) {
            // LuaJ names the right operand first.
            return "attempt to compare " + x.group(2) + " with " + x.group(1);
        }
        if ((x = LENGTH.matcher(m)).matches()) {
            return "attempt to get length of " + operand(x.group(1), 1);
        }
        if ((x = SETINDEX.matcher(m)).matches()) {
            return "attempt to index " + operand(x.group(1), 1);
        }
        if ((x = CALL.matcher(m)).matches()) {
            return "attempt to call " + operand(x.group(1), 1);
        }
        return m;
    }

    /** LuaJ's reserved tokens from 257 on (LexState.luaX_tokens, a Lua 5.2 lexer). */
    private static final String[] TOKENS = {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while", "..", "...",
        "==", ">=", "<=", "~=", "::", "<eof>"};
    private static final Pattern UNEXPECTED = Pattern.compile("unexpected symbol (\\d+) \\(.*\\)$", Pattern.DOTALL);

    /** LuaJ's compiler says "unexpected symbol 286 (\u011e)" where 5.1 says "unexpected symbol near '<eof>'". */
    static String rewordSyntaxError(String m) {
        Matcher x = UNEXPECTED.matcher(m);
        if (!x.find()) {
            return m;
        }
        int token = Integer.parseInt(x.group(1));
        String text = token < 257 ? String.valueOf((char) token) : token - 257 < TOKENS.length ? TOKENS[token - 257] : null;
        return text == null ? m : m.substring(0, x.start()) + "unexpected symbol near '" + text + "'";
    }

    /** 5.1's luaO_chunkid: how a chunk's source is named in messages (LUA_IDSIZE 60). */
    static String chunkId(LuaString source) {
        return chunkId(source, 60);
    }

    /** luaO_chunkid with a buffer size: 60 at run time, 80 in the lexer's messages (llex.c's MAXSRC). */
    static String chunkId(LuaString source, int idSize) {
        String s = source == null ? "=?" : source.tojstring();
        if (s.startsWith("=")) {
            return s.length() > idSize ? s.substring(1, idSize) : s.substring(1);
        }
        if (s.startsWith("@")) {
            s = s.substring(1);
            int max = idSize - 8;
            return s.length() > max ? "..." + s.substring(s.length() - max) : s;
        }
        int max = idSize - 17;
        int nl = 0;
        while (nl < s.length() && s.charAt(nl) != '\n' && s.charAt(nl) != '\r') {
            nl++;
        }
        int len = Math.min(nl, max);
        return len < s.length() ? "[string \"" + s.substring(0, len) + "...\"]" : "[string \"" + s + "\"]";
    }
}
