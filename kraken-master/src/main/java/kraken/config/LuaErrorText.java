package kraken.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * The text of a Lua error as lua5.1 shows it. LuaJ prefixes a runtime error with the raw chunk
 * name and the line and a space ("@t.lua:3 boom", "=stdin:1 boom"); Lua writes "t.lua:3: boom".
 * Used for the configuration's errors and by the command line.
 */
public final class LuaErrorText {
    private LuaErrorText() {}

    private static final Pattern LUAJ_POSITION = Pattern.compile("^[@=]([^\\n]*?):(\\d+|\\?) ");
    public static final String TRACEBACK = "\nstack traceback:";
    /** lua5.1's words for an error value that is neither a string nor a number. */
    public static final String NOT_A_STRING = "(error object is not a string)";

    /**
     * The message of e, with its traceback when LuaJ made one; null when the error value is nil
     * (lua5.1 prints nothing then); "(error object is not a string)" for a table or other value.
     */
    public static String of(LuaError e) {
        LuaValue v = e.getMessageObject();
        if (v == null || v.isnil()) {
            return null;
        }
        if (!v.isstring()) {
            return NOT_A_STRING;
        }
        return clean(v.tojstring());
    }

    /** Lua's "chunk:line: " in place of LuaJ's "@chunk:line ". */
    public static String clean(String message) {
        Matcher m = LUAJ_POSITION.matcher(message);
        return m.find() ? m.group(1) + ":" + m.group(2) + ": " + message.substring(m.end()) : message;
    }

    /** The message without its traceback. */
    public static String withoutTraceback(String message) {
        int t = message.indexOf(TRACEBACK);
        return t < 0 ? message : message.substring(0, t);
    }
}
