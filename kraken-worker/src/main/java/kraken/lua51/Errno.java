package kraken.lua51;

import java.io.IOException;
import java.util.Map;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * 5.1's failure results, {@code nil, "name: strerror", errno}, from Java's exceptions. java.io
 * reports the C library's strerror text ("x (No such file or directory)") but not the number,
 * which is found again from the text (Linux's numbers).
 */
final class Errno {
    private Errno() {}

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("Operation not permitted", 1),
            Map.entry("No such file or directory", 2),
            Map.entry("Interrupted system call", 4),
            Map.entry("Input/output error", 5),
            Map.entry("Bad file descriptor", 9),
            Map.entry("Permission denied", 13),
            Map.entry("File exists", 17),
            Map.entry("Not a directory", 20),
            Map.entry("Is a directory", 21),
            Map.entry("Invalid argument", 22),
            Map.entry("Too many open files", 24),
            Map.entry("File too large", 27),
            Map.entry("No space left on device", 28),
            Map.entry("Illegal seek", 29),
            Map.entry("Read-only file system", 30),
            Map.entry("Broken pipe", 32),
            Map.entry("File name too long", 36),
            Map.entry("Directory not empty", 39),
            Map.entry("Too many levels of symbolic links", 40),
            Map.entry("Disk quota exceeded", 122));

    /** The strerror text in an exception's message. */
    static String text(IOException e) {
        String m = e.getMessage();
        if (m == null) {
            return "Input/output error";
        }
        int open = m.lastIndexOf(" (");
        if (m.endsWith(")") && open >= 0 && NUMBERS.containsKey(m.substring(open + 2, m.length() - 1))) {
            return m.substring(open + 2, m.length() - 1);
        }
        return m;
    }

    static int number(String text) {
        return NUMBERS.getOrDefault(text, 5);
    }

    /** nil, "[name: ]strerror", errno. */
    static Varargs result(String name, IOException e) {
        return result(name, text(e));
    }

    static Varargs result(String name, String text) {
        return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(name == null ? text : name + ": " + text),
                LuaValue.valueOf(number(text)));
    }
}
