package kraken.master.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * /status and `kraken status`: the pool in plain text, one "name: value" line each, in the
 * manner of php-fpm's and Apache's status pages (idle and busy workers, accepted connections,
 * the listen queue, max children reached).
 */
public final class StatusText {
    private StatusText() {}

    public static String render(StatusSnapshot s) {
        Metrics.Counts c = s.counts();
        StringBuilder b = new StringBuilder(1024);
        line(b, "pid", Long.toString(s.pid()));
        line(b, "state", s.stopping() ? "stopping" : "serving");
        line(b, "start time", Instant.ofEpochMilli(s.startMillis()).truncatedTo(ChronoUnit.SECONDS).toString());
        line(b, "uptime", (s.takenMillis() - s.startMillis()) / 1000 + " s");
        line(b, "isolation", s.isolation());
        line(b, "reloads", Integer.toString(s.generation()));
        line(b, "idle workers", Integer.toString(s.workers("ready")));
        line(b, "busy workers", Integer.toString(s.workers("busy")));
        line(b, "starting workers", Integer.toString(s.workers("starting")));
        line(b, "finishing workers", Integer.toString(s.workers("finishing")));
        line(b, "stopping workers", Integer.toString(s.workers("stopping")));
        line(b, "total workers", s.totalWorkers() + " (max " + s.workersMax() + ", spare " + s.workersSpare() + ")");
        line(b, "accepted connections", Long.toString(c.accepted()));
        StringBuilder ended = new StringBuilder();
        for (Metrics.Outcome o : Metrics.Outcome.values()) {
            ended.append(ended.length() > 0 ? ", " : "").append(c.outcome(o)).append(' ').append(o.label());
        }
        line(b, "ended connections", ended.toString());
        StringBuilder refused = new StringBuilder(Long.toString(c.refusedTotal()));
        c.refusals().forEach((k, v) -> refused.append(refused.indexOf("(") < 0 ? " (" : ", ").append(v).append(' ')
                .append(k));
        if (refused.indexOf("(") >= 0) {
            refused.append(')');
        }
        line(b, "refused connections", refused.toString());
        long waiting = 0;
        for (StatusSnapshot.ListenerQueue q : s.listeners()) {
            waiting += Math.max(0, q.waiting());
        }
        line(b, "listen queue", Long.toString(waiting));
        for (StatusSnapshot.ListenerQueue q : s.listeners()) {
            line(b, "listen queue " + q.name(), (q.waiting() < 0 ? "unknown" : Integer.toString(q.waiting()))
                    + (q.limit() < 0 ? "" : " of " + q.limit()));
        }
        line(b, "max children reached", c.maxReached() + (c.atCap() ? " (now)" : ""));
        line(b, "worker spawns", Long.toString(c.spawns()));
        line(b, "spawn failures", c.spawnRefusals() + " refused by the OS, " + c.bootFailures()
                + " died before ready");
        return b.toString();
    }

    private static void line(StringBuilder b, String name, String value) {
        b.append(name).append(':');
        for (int i = name.length() + 1; i < 24; i++) {
            b.append(' ');
        }
        b.append(' ').append(value).append('\n');
    }
}
