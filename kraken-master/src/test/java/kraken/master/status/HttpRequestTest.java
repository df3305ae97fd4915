package kraken.master.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The status server's request parser against what a hostile client sends: it reads bytes nobody
 * vetted, so it must answer every one of them with a request, an error status, or "not yet",
 * and never throw.
 */
@Tag("unit")
@Timeout(30)
class HttpRequestTest {
    private static final Set<Integer> STATUSES = Set.of(200, 400, 404, 405, 505);

    /** The bytes as the server holds them: in a buffer of its own size, position at their end. */
    private static HttpRequest parse(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        buf.put(bytes);
        return HttpRequest.parse(buf);
    }

    private static HttpRequest parse(String s) {
        return parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aGoodRequestNamesItsVersionPathAndMethod() {
        HttpRequest r = parse("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
        assertEquals(new HttpRequest("HTTP/1.1", "/metrics", false, 200, null), r);
        assertEquals(new HttpRequest("HTTP/1.0", "/status", true, 200, null), parse("HEAD /status HTTP/1.0\n\n"));
        assertEquals("/metrics", parse("GET /metrics?name[]=x&y HTTP/1.1\r\n\r\n").path(), "the query is not part of the path");
    }

    @Test
    void anIncompleteHeadIsNotYetARequest() {
        assertNull(parse(""));
        assertNull(parse("GET /metrics HTTP/1.1"));
        assertNull(parse("GET /metrics HTTP/1.1\r\n"));
        assertNull(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
        assertNull(parse("GET /metrics HTTP/1.1\r\r\r\r"), "carriage returns alone end nothing");
        assertNull(parse("\n"));
        assertNull(parse("x".repeat(8000)), "a head that never ends is the server's to cut off, not the parser's");
    }

    @Test
    void onlyTheBytesUpToThePositionCount() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        buf.put("GET /status HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        buf.position(22); // the blank line is beyond the position: not received yet
        assertNull(HttpRequest.parse(buf));
    }

    @Test
    void malformedRequestLinesAre400() {
        for (String bad : new String[] {"\n\n", "\r\n\r\n", "GET\r\n\r\n", "GET /metrics\r\n\r\n",
                "GET  /metrics HTTP/1.1\r\n\r\n", "GET /metrics HTTP/1.1 extra\r\n\r\n", "GET /metrics FTP/1.0\r\n\r\n",
                "\u0000\u0001\u00ff\n\n"}) {
            HttpRequest r = parse(bad);
            assertEquals(400, r.status(), bad);
            assertEquals("Bad Request", r.error(), bad);
        }
    }

    @Test
    void otherVersionsMethodsAndPathsGetTheirOwnStatus() {
        assertEquals(505, parse("GET /metrics HTTP/2.0\r\n\r\n").status());
        assertEquals(505, parse("GET /metrics HTTP/1.1.1\r\n\r\n").status());
        assertEquals(505, parse("GET /metrics HTTP/1.1\u0000\r\n\r\n").status(), "a NUL makes another version");
        assertEquals(405, parse("POST /metrics HTTP/1.1\r\n\r\n").status());
        assertEquals(405, parse("get /metrics HTTP/1.1\r\n\r\n").status(), "methods are case-sensitive");
        HttpRequest r = parse("GET /../../etc/passwd HTTP/1.1\r\n\r\n");
        assertEquals(404, r.status());
        assertEquals("/../../etc/passwd", r.path());
        assertEquals(404, parse("GET /METRICS HTTP/1.1\r\n\r\n").status());
        assertEquals(404, parse("GET /metrics/ HTTP/1.1\r\n\r\n").status());
    }

    @Test
    void theEndOfTheHeadMayMixLineEndings() {
        assertEquals(200, parse("GET /status HTTP/1.1\n\r\n").status());
        assertEquals(200, parse("GET /status HTTP/1.1\r\n\n").status());
        assertEquals(200, parse("GET /status HTTP/1.1\r\nX: \u0000\u00ff\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n").status());
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(14);
        byte[] alphabet = "GET HEAD /metrics/status?HTTP/1.01\r\n\u0000\u00ff ".getBytes(StandardCharsets.ISO_8859_1);
        int requests = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(64)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
            }
            HttpRequest r = parse(b);
            if (r != null) {
                requests++;
                assertTrue(STATUSES.contains(r.status()), r.toString());
                assertEquals(r.status() == 200, r.error() == null, r.toString());
                assertFalse(r.version().isEmpty());
            }
        }
        assertTrue(requests > 0, "some heads were complete");
    }
}
