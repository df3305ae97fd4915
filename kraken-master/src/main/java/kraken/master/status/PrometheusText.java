package kraken.master.status;

import java.math.BigDecimal;
import java.util.Map;

/**
 * /metrics: a snapshot in the Prometheus text exposition format, version 0.0.4. Names follow
 * Prometheus' naming practices: the kraken_ prefix, base units (seconds), _total on counters,
 * one HELP and one TYPE line per family, label values escaped.
 */
public final class PrometheusText {
    private PrometheusText() {}

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    public static String render(StatusSnapshot s) {
        StringBuilder b = new StringBuilder(4096);
        Metrics.Counts c = s.counts();
        family(b, "kraken_workers", "gauge", "Worker processes by state.");
        for (Map.Entry<String, Integer> e : s.workers().entrySet()) {
            sample(b, "kraken_workers", "state", e.getKey(), e.getValue());
        }
        family(b, "kraken_workers_max", "gauge", "The most worker processes alive at once (kraken.workers.max).");
        sample(b, "kraken_workers_max", s.workersMax());
        family(b, "kraken_workers_spare", "gauge", "Ready workers the master keeps waiting (kraken.workers.spare).");
        sample(b, "kraken_workers_spare", s.workersSpare());
        family(b, "kraken_connections_accepted_total", "counter", "Connections accepted from the listeners.");
        sample(b, "kraken_connections_accepted_total", c.accepted());
        family(b, "kraken_connections_total", "counter",
                "Connections that ended, by outcome: ok, error (the application raised one), killed (by the master),"
                + " died (the worker died), dropped (no worker could take it).");
        for (Metrics.Outcome o : Metrics.Outcome.values()) {
            sample(b, "kraken_connections_total", "outcome", o.label(), c.outcome(o));
        }
        family(b, "kraken_connections_refused_total", "counter",
                "Connections closed by the master before they reached a worker, by reason.");
        for (Map.Entry<String, Long> e : c.refusals().entrySet()) {
            sample(b, "kraken_connections_refused_total", "reason", e.getKey(), e.getValue());
        }
        family(b, "kraken_connection_duration_seconds", "histogram",
                "Time from the hand-over of a connection to a worker until it ended.");
        long cumulative = 0;
        for (int i = 0; i < Metrics.BUCKETS.length; i++) {
            cumulative += c.buckets()[i];
            sample(b, "kraken_connection_duration_seconds_bucket", "le", bound(Metrics.BUCKETS[i]), cumulative);
        }
        sample(b, "kraken_connection_duration_seconds_bucket", "le", "+Inf", c.durationCount());
        b.append("kraken_connection_duration_seconds_sum ").append(number(c.durationSeconds())).append('\n');
        sample(b, "kraken_connection_duration_seconds_count", c.durationCount());
        histogram(b, "kraken_connection_cpu_seconds",
                "CPU time of a connection: its worker's and every process it started (its control group).",
                c.cpu(), false);
        histogram(b, "kraken_connection_memory_peak_bytes",
                "Peak memory of a connection's worker and every process it started (its control group).",
                c.memoryPeak(), true);
        family(b, "kraken_connections_at_cap_total", "counter",
                "Connections that reached a cap of their worker's control group: processes (kraken.limits.processes,"
                + " starts refused) or memory_total (kraken.limits.memory_total, processes killed).");
        for (int i = 0; i < Metrics.CAPS.length; i++) {
            sample(b, "kraken_connections_at_cap_total", "cap", Metrics.CAPS[i], c.atCaps()[i]);
        }
        family(b, "kraken_worker_spawns_total", "counter", "Worker processes started.");
        sample(b, "kraken_worker_spawns_total", c.spawns());
        family(b, "kraken_spawn_refusals_total", "counter",
                "Attempts to start a worker that the operating system refused (kraken.mm).");
        sample(b, "kraken_spawn_refusals_total", c.spawnRefusals());
        family(b, "kraken_worker_boot_failures_total", "counter",
                "Workers that died, or were killed, before they were ready.");
        sample(b, "kraken_worker_boot_failures_total", c.bootFailures());
        family(b, "kraken_max_workers_reached_total", "counter",
                "Times every worker kraken.workers.max allows was alive, none ready and none starting, so that connections waited in the backlog.");
        sample(b, "kraken_max_workers_reached_total", c.maxReached());
        family(b, "kraken_listen_queue", "gauge", "Connections waiting in a listener's backlog for the master to accept them.");
        for (StatusSnapshot.ListenerQueue q : s.listeners()) {
            if (q.waiting() >= 0) {
                sample(b, "kraken_listen_queue", "listener", q.name(), q.waiting());
            }
        }
        family(b, "kraken_listen_queue_limit", "gauge", "The most connections a listener's backlog holds.");
        for (StatusSnapshot.ListenerQueue q : s.listeners()) {
            if (q.limit() >= 0) {
                sample(b, "kraken_listen_queue_limit", "listener", q.name(), q.limit());
            }
        }
        family(b, "kraken_start_time_seconds", "gauge", "When the master began serving, in seconds since the epoch.");
        b.append("kraken_start_time_seconds ").append(number(s.startMillis() / 1000.0)).append('\n');
        family(b, "kraken_reloads_total", "counter", "Graceful worker restarts (HUP) since the master started.");
        sample(b, "kraken_reloads_total", s.generation());
        return b.toString();
    }

    private static void histogram(StringBuilder b, String name, String help, Metrics.HistogramCounts h,
                                  boolean integralBounds) {
        family(b, name, "histogram", help);
        long cumulative = 0;
        for (int i = 0; i < h.bounds().length; i++) {
            cumulative += h.buckets()[i];
            String le = integralBounds ? Long.toString((long) h.bounds()[i]) : bound(h.bounds()[i]);
            sample(b, name + "_bucket", "le", le, cumulative);
        }
        sample(b, name + "_bucket", "le", "+Inf", h.count());
        b.append(name).append("_sum ").append(number(h.sum())).append('\n');
        sample(b, name + "_count", h.count());
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, long value) {
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void sample(StringBuilder b, String name, String label, String labelValue, long value) {
        b.append(name).append('{').append(label).append("=\"").append(LabelText.value(labelValue)).append("\"} ")
                .append(value).append('\n');
    }

    // 0.0025, 1, 300: the shortest decimal, never 2.5E-3.
    private static String bound(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static String number(double d) {
        return BigDecimal.valueOf(d).toPlainString();
    }
}
