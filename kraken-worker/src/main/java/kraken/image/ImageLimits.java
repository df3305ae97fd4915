package kraken.image;

import java.util.Locale;
import kraken.settings.Settings;

/** How large an image may be: a fraction of the heap a worker has to copy it into. */
public final class ImageLimits {
    private ImageLimits() {}

    /**
     * A 24th of kraken.limits.memory (the worker's -Xmx): 2.7 MB of image for the default 64m.
     * Measured (JDK 17, compressed pointers): the decoded image takes 4 to 7 times its bytes
     * (tables of small tables, strings, closures) and each copy 0.4 to 6 times; a "state" worker
     * holds the decoded image, the connection's copy and the last connection's garbage, and the
     * connection needs room of its own. For scale: a top level that loads 10,000 lines of Lua
     * modules makes an image of 180 KB.
     */
    public static long forHeap(Settings s) {
        return heapBytes(s.limitMemory) / 24;
    }

    /** -Xmx's syntax: a number of bytes with an optional k, m, g or t. */
    static long heapBytes(String xmx) {
        String t = xmx.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            case 't' -> unit = 1L << 40;
            default -> { }
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            return 64L << 20;
        }
    }
}
