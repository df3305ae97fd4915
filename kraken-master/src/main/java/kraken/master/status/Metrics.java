package kraken.master.status;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The master's counters (docs/operations.md): what has happened since the master started. The
 * supervisor thread counts connections, spawns and failures; any other component may count a
 * refusal with {@link #refused(String)} from any thread. Every counter is a lock-free atomic, so
 * counting never waits for a reader; the supervisor copies them into each {@link StatusSnapshot}.
 */
public final class Metrics {
    /** What became of a connection handed to a worker, the label values of kraken_connections_total. */
    public enum Outcome {
        /** The application finished. */
        OK,
        /** The application raised an error. */
        ERROR,
        /** The master killed the worker (kraken.limits.time, the end of the grace period). */
        KILLED,
        /** The worker died while serving (a crash, out of memory, a signal from elsewhere). */
        DIED,
        /** Accepted, but no worker could take it. */
        DROPPED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Upper bounds of kraken_connection_duration_seconds' buckets; +Inf is implied. */
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
        60, 300};

    /** Upper bounds of kraken_connection_cpu_seconds' buckets (CPU of the worker's whole control group). */
    static final double[] CPU_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
        60, 300};
    /** Upper bounds of kraken_connection_memory_peak_bytes' buckets, 16 MiB to 4 GiB. */
    static final double[] MEMORY_BUCKETS = {16.0 * (1 << 20), 32.0 * (1 << 20), 64.0 * (1 << 20), 128.0 * (1 << 20),
        256.0 * (1 << 20), 512.0 * (1 << 20), 1024.0 * (1 << 20), 2048.0 * (1 << 20), 4096.0 * (1 << 20)};
    /** The caps a connection may reach, the label values of kraken_connections_at_cap_total. */
    static final String[] CAPS = {"processes", "memory_total"};

    /** Refusal reasons are words from Kraken's code, never from a client; still, at most this many. */
    static final int MAX_REASONS = 32;
    static final String OTHER_REASON = "other";

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLongArray outcomes = new AtomicLongArray(Outcome.values().length);
    private final ConcurrentHashMap<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);
    private final AtomicLong durationCount = new AtomicLong();
    private final AtomicLong totalNanos = new AtomicLong();
    private final AtomicLong spawns = new AtomicLong();
    private final AtomicLong spawnRefusals = new AtomicLong();
    private final AtomicLong bootFailures = new AtomicLong();
    private final AtomicLong maxReached = new AtomicLong();
    private volatile boolean atCap;
    private final Histogram cpu = new Histogram(CPU_BUCKETS);
    private final Histogram memoryPeak = new Histogram(MEMORY_BUCKETS);
    private final AtomicLongArray atCaps = new AtomicLongArray(CAPS.length);

    /** Counts of observations per bucket (not cumulative), their number and their sum. */
    static final class Histogram {
        final double[] bounds;
        private final AtomicLongArray buckets;
        private final AtomicLong count = new AtomicLong();
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.buckets = new AtomicLongArray(bounds.length + 1);
        }

        void observe(double v) {
            int i = 0;
            while (i < bounds.length && v > bounds[i]) {
                i++;
            }
            buckets.incrementAndGet(i);
            sum.add(v);
            count.incrementAndGet();
        }

        HistogramCounts counts() {
            long[] b = new long[buckets.length()];
            for (int i = 0; i < b.length; i++) {
                b[i] = buckets.get(i);
            }
            return new HistogramCounts(bounds, b, count.get(), sum.sum());
        }
    }

    /** A histogram's copy: buckets by bound index, the last one past every bound (+Inf). */
    public record HistogramCounts(double[] bounds, long[] buckets, long count, double sum) {}

    /**
     * What one connection's control group used: CPU seconds (negative when unknown) and the peak of
     * its memory in bytes (negative when unknown).
     */
    public void connectionUsage(double cpuSeconds, long peakBytes) {
        if (cpuSeconds >= 0) {
            cpu.observe(cpuSeconds);
        }
        if (peakBytes >= 0) {
            memoryPeak.observe(peakBytes);
        }
    }

    /** A connection reached a cap of its control group: "processes" or "memory_total". */
    public void reachedCap(String cap) {
        for (int i = 0; i < CAPS.length; i++) {
            if (CAPS[i].equals(cap)) {
                atCaps.incrementAndGet(i);
            }
        }
    }

    /** A connection was accepted from a listener. */
    public void accepted() {
        accepted.incrementAndGet();
    }

    /** A connection ended after nanos (0 for one that no worker took). */
    public void connectionEnded(Outcome outcome, long nanos) {
        outcomes.incrementAndGet(outcome.ordinal());
        if (outcome == Outcome.DROPPED) {
            return;
        }
        long d = Math.max(0, nanos);
        double seconds = d / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                buckets.incrementAndGet(i);
                break;
            }
        }
        totalNanos.addAndGet(d);
        durationCount.incrementAndGet();
    }

    /**
     * A connection closed before it reached a worker, for the reason given: a word or two such as
     * "per_source" or "proxy_header" (the label of kraken_connections_refused_total).
     */
    public void refused(String reason) {
        String r = LabelText.isName(reason) ? reason : OTHER_REASON;
        AtomicLong c = refusals.get(r);
        if (c == null) {
            c = refusals.size() < MAX_REASONS ? refusals.computeIfAbsent(r, k -> new AtomicLong())
                    : refusals.computeIfAbsent(OTHER_REASON, k -> new AtomicLong());
        }
        c.incrementAndGet();
    }

    public void spawned() {
        spawns.incrementAndGet();
    }

    /** The OS refused to create a worker process (one attempt). */
    public void spawnRefused() {
        spawnRefusals.incrementAndGet();
    }

    /** A worker died, or was killed, before it was ready. */
    public void bootFailed() {
        bootFailures.incrementAndGet();
    }

    /**
     * Whether every worker the cap allows is alive and none is ready, so that connections wait in
     * the kernel's backlog (php-fpm's "max children reached"). Each time it becomes true counts once.
     */
    public void poolAtCap(boolean now) {
        if (now != atCap) {
            atCap = now;
            if (now) {
                maxReached.incrementAndGet();
            }
        }
    }

    /** The counters as they are now. */
    public Counts counts() {
        long[] out = new long[outcomes.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = outcomes.get(i);
        }
        long[] b = new long[buckets.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = buckets.get(i);
        }
        Map<String, Long> r = new TreeMap<>();
        refusals.forEach((k, v) -> r.put(k, v.get()));
        long[] caps = new long[CAPS.length];
        for (int i = 0; i < caps.length; i++) {
            caps[i] = atCaps.get(i);
        }
        return new Counts(accepted.get(), out, Map.copyOf(r), b, durationCount.get(), totalNanos.get() / 1e9,
                spawns.get(), spawnRefusals.get(), bootFailures.get(), maxReached.get(), atCap, cpu.counts(),
                memoryPeak.counts(), caps);
    }

    /**
     * A copy of the counters.
     *
     * @param outcomes by {@link Outcome} ordinal
     * @param buckets connections per duration bucket (not cumulative), by {@link #BUCKETS} index
     */
    public record Counts(long accepted, long[] outcomes, Map<String, Long> refusals, long[] buckets,
                         long durationCount, double durationSeconds, long spawns, long spawnRefusals,
                         long bootFailures, long maxReached, boolean atCap, HistogramCounts cpu,
                         HistogramCounts memoryPeak, long[] atCaps) {
        public long outcome(Outcome o) {
            return outcomes[o.ordinal()];
        }

        /** Connections that reached a worker and ended, whatever the outcome. */
        public long ended() {
            long n = 0;
            for (long x : outcomes) {
                n += x;
            }
            return n - outcome(Outcome.DROPPED);
        }

        public long refusedTotal() {
            long n = 0;
            for (long x : refusals.values()) {
                n += x;
            }
            return n;
        }
    }
}
