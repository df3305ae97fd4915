package kraken.master.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import kraken.fuzz.Allocation;
import org.junit.jupiter.api.Tag;

/**
 * The status listener's request reader under any bytes, fed as StatusServer feeds it: into a
 * buffer of MAX_REQUEST bytes, parsed after every read from where the last parse stopped. The contract: null exactly while no
 * blank line has arrived (the head is incomplete), else a request whose status is one the server
 * answers, with a reason phrase exactly when it is an error and a version the status line may
 * carry; only GET or HEAD of /metrics or /status succeeds; the answer does not depend on how the
 * bytes arrived; nothing is thrown; allocation stays bounded by the buffer.
 */
@Tag("fuzz")
class HttpRequestFuzzTest {
    private static final Set<Integer> STATUSES = Set.of(200, 400, 404, 405, 505);

    @FuzzTest
    void httpRequest(byte[] data) {
        int n = Math.min(data.length, StatusServer.MAX_REQUEST);
        feed(data, n, n); // the first run of a path loads classes: not the parser's own cost
        long mark = Allocation.mark();
        HttpRequest whole = feed(data, n, n);
        Allocation.atMost(mark, 64 * 1024 + 8L * n, "parsing");
        String text = new String(data, 0, n, StandardCharsets.ISO_8859_1);
        boolean complete = text.contains("\n\n") || text.contains("\n\r\n");
        if (!complete) {
            assertNull(whole, "a request before its blank line");
            return;
        }
        assertNotNull(whole, "no request after a blank line");
        assertEquals(whole, feed(data, n, 1), "byte by byte");
        assertEquals(whole, feed(data, n, 1 + Math.floorMod(text.hashCode(), 97)), "in chunks");

        assertTrue(STATUSES.contains(whole.status()), "status " + whole.status());
        assertEquals(whole.status() == 200, whole.error() == null);
        assertTrue(whole.version().equals("HTTP/1.0") || whole.version().equals("HTTP/1.1"), whole.version());
        if (whole.status() == 200) {
            String line = text.substring(0, text.indexOf('\n')).strip();
            assertTrue(line.startsWith("GET /") || line.startsWith("HEAD /"), line);
            assertTrue(whole.path().equals("/metrics") || whole.path().equals("/status"), whole.path());
            assertEquals(line.startsWith("HEAD "), whole.head());
        }
    }

    /** Reads the first n bytes of data in reads of up to step bytes, parsing after each. */
    private static HttpRequest feed(byte[] data, int n, int step) {
        ByteBuffer in = ByteBuffer.allocate(StatusServer.MAX_REQUEST);
        for (int at = 0; at < n; ) {
            int k = Math.min(step, n - at);
            in.put(data, at, k);
            HttpRequest r = HttpRequest.parse(in, at);
            at += k;
            if (r != null) {
                return r;
            }
        }
        return n == 0 ? HttpRequest.parse(in) : null;
    }
}
