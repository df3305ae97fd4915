package kraken.master.status;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The head of one HTTP/1.0 or 1.1 request, as much as the status server needs: the method, the
 * path and the version. Headers are read past, not kept.
 *
 * @param version "HTTP/1.0" or "HTTP/1.1", for the response's status line
 * @param status the error status (400, 404, 405, 505) when error is not null
 * @param error the reason phrase of the error to send, or null for a good request
 */
record HttpRequest(String version, String path, boolean head, int status, String error) {

    /** The request in buf[0, position), or null while its head is incomplete. */
    static HttpRequest parse(ByteBuffer buf) {
        return parse(buf, 0);
    }

    /**
     * As {@link #parse(ByteBuffer)}, when buf[0, searched) held no end of the head at the last
     * call: a client sending a byte at a time costs each byte one look, not one per read
     * (8 KiB read byte by byte was 33 million).
     */
    static HttpRequest parse(ByteBuffer buf, int searched) {
        byte[] a = buf.array();
        int n = buf.position();
        int end = -1;
        for (int i = searched; i < n; i++) {
            if (a[i] == '\n' && (i >= 1 && a[i - 1] == '\n' || i >= 2 && a[i - 1] == '\r' && a[i - 2] == '\n')) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return null;
        }
        int eol = 0;
        while (a[eol] != '\n') {
            eol++;
        }
        String line = new String(a, 0, eol, StandardCharsets.ISO_8859_1).strip();
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            return new HttpRequest("HTTP/1.0", "", false, 400, "Bad Request");
        }
        String version = parts[2];
        if (!version.equals("HTTP/1.0") && !version.equals("HTTP/1.1")) {
            return new HttpRequest("HTTP/1.1", "", false, 505, "HTTP Version Not Supported");
        }
        boolean head = parts[0].equals("HEAD");
        if (!head && !parts[0].equals("GET")) {
            return new HttpRequest(version, "", false, 405, "Method Not Allowed");
        }
        String target = parts[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        if (!path.equals("/metrics") && !path.equals("/status")) {
            return new HttpRequest(version, path, head, 404, "Not Found");
        }
        return new HttpRequest(version, path, head, 200, null);
    }
}
