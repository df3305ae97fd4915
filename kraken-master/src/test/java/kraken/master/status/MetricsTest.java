package kraken.master.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The counters, the text renderings and the request parser, in-process. */
@Tag("unit")
@Timeout(30)
class MetricsTest {
    private static StatusSnapshot snapshot(Metrics m) {
        return new StatusSnapshot(System.nanoTime(), 2_000_000, 1_000_000, 42, "process", 64, 2, 1, false,
                Map.of("ready", 2, "busy", 1), List.of(new StatusSnapshot.ListenerQueue("[::1]:8001", 3, 1024),
                        new StatusSnapshot.ListenerQueue("unix", -1, -1)), m.counts());
    }

    @Test
    void refusalReasonsAreBoundedAndNeverClientText() {
        Metrics m = new Metrics();
        m.refused("per_source");
        m.refused("per_source");
        m.refused("bad\"reason\n"); // not a name: counted as other
        for (int i = 0; i < 100; i++) {
            m.refused("r" + i);
        }
        Map<String, Long> r = m.counts().refusals();
        assertEquals(2L, r.get("per_source"));
        assertTrue(r.size() <= Metrics.MAX_REASONS + 1, r.toString());
        assertEquals(103L, m.counts().refusedTotal());
        assertTrue(r.get(Metrics.OTHER_REASON) >= 1);
    }

    @Test
    void durationsLandInCumulativeBucketsAndOutcomesAreCounted() {
        Metrics m = new Metrics();
        m.connectionEnded(Metrics.Outcome.OK, 2_000_000L);        // 2 ms
        m.connectionEnded(Metrics.Outcome.ERROR, 700_000_000L);   // 0.7 s
        m.connectionEnded(Metrics.Outcome.KILLED, 400_000_000_000L); // past the last bound
        m.connectionEnded(Metrics.Outcome.DROPPED, 0);
        m.accepted();
        m.poolAtCap(true);
        m.poolAtCap(true);
        m.poolAtCap(false);
        m.poolAtCap(true);
        String t = PrometheusText.render(snapshot(m));
        assertTrue(t.contains("kraken_connection_duration_seconds_bucket{le=\"0.001\"} 0\n"), t);
        assertTrue(t.contains("kraken_connection_duration_seconds_bucket{le=\"0.0025\"} 1\n"), t);
        assertTrue(t.contains("kraken_connection_duration_seconds_bucket{le=\"1\"} 2\n"), t);
        assertTrue(t.contains("kraken_connection_duration_seconds_bucket{le=\"300\"} 2\n"), t);
        assertTrue(t.contains("kraken_connection_duration_seconds_bucket{le=\"+Inf\"} 3\n"), t);
        assertTrue(t.contains("kraken_connection_duration_seconds_count 3\n"), t);
        assertTrue(t.contains("kraken_connections_total{outcome=\"dropped\"} 1\n"), t);
        assertTrue(t.contains("kraken_max_workers_reached_total 2\n"), t);
        assertTrue(t.contains("kraken_listen_queue{listener=\"[::1]:8001\"} 3\n"), t);
        assertTrue(!t.contains("listener=\"unix\""), "a queue the kernel does not report is left out");
        // Every family has exactly one HELP and one TYPE line, before its samples.
        for (String line : t.split("\n")) {
            assertTrue(line.startsWith("# HELP kraken_") || line.startsWith("# TYPE kraken_")
                    || line.matches("kraken_[a-z_]+(\\{[a-z]+=\"[^\"]*\"\\})? [0-9.e+-]+"), line);
        }
        String s = StatusText.render(snapshot(m));
        assertTrue(s.contains("idle workers:            2\n"), s);
        assertTrue(s.contains("busy workers:            1\n"), s);
        assertTrue(s.contains("listen queue [::1]:8001: 3 of 1024\n"), s);
        assertTrue(s.contains("listen queue unix:       unknown\n"), s);
        assertTrue(s.contains("uptime:                  1000 s\n"), s);
        assertTrue(s.contains("max children reached:    2 (now)\n"), s);
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", LabelText.value("a\\b\"c\nd"));
    }

    private static HttpRequest req(String text) {
        ByteBuffer b = ByteBuffer.allocate(8192);
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return HttpRequest.parse(b);
    }

    @Test
    void requestHeads() {
        assertEquals(null, req("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
        HttpRequest r = req("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals("/metrics", r.path());
        assertEquals(null, r.error());
        assertEquals("HTTP/1.0", req("GET /status HTTP/1.0\n\n").version());
        assertTrue(req("HEAD /status HTTP/1.0\r\n\r\n").head());
        assertEquals(404, req("GET /x HTTP/1.1\r\n\r\n").status());
        assertEquals(405, req("PUT /status HTTP/1.1\r\n\r\n").status());
        assertEquals(505, req("GET /status HTTP/2\r\n\r\n").status());
        assertEquals(400, req("GET\r\n\r\n").status());
    }

    @Test
    void aHeadArrivingAByteAtATimeIsFoundWhereItEnds() {
        // Each parse searches from where the last one stopped; the end's "\n\r\n" may straddle reads.
        for (String text : new String[] {"GET /status HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD /metrics HTTP/1.0\n\n"}) {
            byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer b = ByteBuffer.allocate(8192);
            HttpRequest r = null;
            for (int i = 0; i < bytes.length && r == null; i++) {
                b.put(bytes[i]);
                r = HttpRequest.parse(b, i);
                assertTrue(r == null || i == bytes.length - 1, "a request before the head's end, at " + i);
            }
            assertEquals(req(text), r);
        }
    }
}
