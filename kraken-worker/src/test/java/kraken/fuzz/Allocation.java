package kraken.fuzz;

import java.lang.management.ManagementFactory;

/**
 * What a fuzz target allocated, from the JVM's per-thread count: the "memory bounded by the
 * input's size" half of a parser's contract, checked on every input instead of waiting for an
 * OutOfMemoryError that a large heap would hide. Measure a path's second run: the first one
 * loads classes, which is not the parser's cost.
 */
public final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        THREADS.getCurrentThreadAllocatedBytes(); // its own first call allocates
    }

    private Allocation() {}

    /** Bytes this thread has allocated so far. */
    public static long mark() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Fails when this thread allocated more than bound bytes since mark. what is a constant: a
     * message built by the caller would be counted.
     */
    public static void atMost(long mark, long bound, String what) {
        long used = mark() - mark;
        if (used > bound) {
            throw new AssertionError(what + " allocated " + used + " bytes, bound " + bound);
        }
    }
}
