package kraken.image;

import java.util.Locale;
import kraken.settings.Settings;

/** How large an image may be: a fraction of the heap a worker has to copy it into. */
public final class ImageLimits {
    private ImageLimits() {}

    /**
     * An eighth of kraken.limits.memory (the worker's -Xmx). A state in memory takes several
     * times its image (a small table is ~100 bytes of heap for a few bytes of image), a "state"
     * worker holds the decoded image beside the copy a connection uses, and the connection
     * needs room of its own.
     */
    public static long forHeap(Settings s) {
        return heapBytes(s.limitMemory) / 8;
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
