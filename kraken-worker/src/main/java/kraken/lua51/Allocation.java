package kraken.lua51;

/**
 * Bytes the current thread has allocated, from the JVM's per-thread counter (HotSpot keeps it
 * for every thread anyway). The management bean behind it is loaded on first use only, so a
 * state that never asks for collectgarbage("count") never pays for it. Where the counter is
 * missing, the heap in use stands in (coarser: it moves by allocation buffers).
 */
final class Allocation {
    private Allocation() {
    }

    static long currentThread() {
        long n = Counter.BEAN == null ? -1 : Counter.BEAN.getCurrentThreadAllocatedBytes();
        if (n >= 0) {
            return n;
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Holder: initialized when first asked. */
    private static final class Counter {
        static final com.sun.management.ThreadMXBean BEAN = bean();

        private static com.sun.management.ThreadMXBean bean() {
            try {
                return (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }
    }
}
