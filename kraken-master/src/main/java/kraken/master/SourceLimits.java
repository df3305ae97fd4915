package kraken.master;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import kraken.posix.Sockets;
import kraken.settings.Settings;
import kraken.posix.Fd;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;

/**
 * kraken.limits.per_source: connections at once from one client address, an IPv6 client counted
 * by its /64 (one subscriber's allocation), an IPv4-mapped IPv6 address as the IPv4 address it
 * is. The supervisor thread calls {@link #admit} on accept and {@link #release} when the
 * connection ends, whatever ends it; a slot is held by the {@link Worker} that serves the
 * connection, so it cannot outlive it. The map holds admitted connections only, so it is bounded
 * by the workers alive. Refusals are counted by reason.
 */
final class SourceLimits {
    static final String OVER_PER_SOURCE = "per_source";
    static final String NO_WORKER = "no_worker";

    /** A source: an IPv4 address, or the first 64 bits of an IPv6 address. */
    record Source(boolean ipv6, long bits) {}

    /** What a connection holds: its source, or NONE when no limit applies. */
    record Slot(Source source) {}

    private static final Slot NONE = new Slot(null);

    private final Map<Source, Integer> open = new HashMap<>();
    private final Map<String, Long> refused = new LinkedHashMap<>();
    private int limit;
    private byte[] refusal;

    SourceLimits(Settings s) {
        update(s);
        refused.put(OVER_PER_SOURCE, 0L);
        refused.put(NO_WORKER, 0L);
    }

    void update(Settings s) {
        limit = s.limitPerSource == null ? 0 : s.limitPerSource;
        refusal = s.limitRefusal == null ? null : s.limitRefusal.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * A slot for a connection from peer, or null when its source is at the limit: then the
     * refusal was written (best effort, never blocking) and the caller closes the connection.
     */
    Slot admit(SocketAddress peer, Fd conn) {
        return peer.isIp() ? admit(peer.address(), peer.toString(), conn) : NONE;
    }

    /**
     * The same for a client known by its address bytes (4 or 16): the client a trusted proxy
     * reported, whose own address is the one that counts, not the proxy's.
     */
    Slot admit(byte[] address, String who, Fd conn) {
        if (limit <= 0 || address == null) {
            return NONE;
        }
        Source key = sourceOf(address);
        int n = open.getOrDefault(key, 0);
        if (n >= limit) {
            count(OVER_PER_SOURCE);
            refuse(conn);
            MasterLog.info("connection from " + who + " refused: kraken.limits.per_source (" + limit
                    + ") reached for its source");
            return null;
        }
        open.put(key, n + 1);
        return new Slot(key);
    }

    /** The connection that held slot ended. Null (nothing held) is harmless. */
    void release(Slot slot) {
        if (slot == null || slot == NONE) {
            return;
        }
        open.computeIfPresent(slot.source(), (k, n) -> n > 1 ? n - 1 : null);
    }

    void count(String reason) {
        refused.merge(reason, 1L, Long::sum);
    }

    /** Refusals so far by reason, for USR1 and metrics. A copy. */
    Map<String, Long> refusals() {
        return new LinkedHashMap<>(refused);
    }

    /** Sources holding connections now (for tests and status). */
    int sourcesHeld() {
        return open.size();
    }

    /**
     * The bytes of an IP address literal (as a PROXY header gives it), or null for anything
     * else: only digits, hex letters, dots and colons reach InetAddress, so no name is looked up.
     */
    static byte[] literalAddress(String host) {
        if (host == null || host.isEmpty() || !host.matches("[0-9A-Fa-f.:]+")) {
            return null;
        }
        try {
            return java.net.InetAddress.getByName(host).getAddress();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    static Source sourceOf(byte[] a) {
        if (a.length == 16 && isV4Mapped(a)) {
            a = new byte[] {a[12], a[13], a[14], a[15]};
        }
        int n = a.length == 4 ? 4 : 8;
        long bits = 0;
        for (int i = 0; i < n; i++) {
            bits = (bits << 8) | (a[i] & 0xffL);
        }
        return new Source(n == 8, bits);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    // Non-blocking and best effort: a fresh socket's send buffer takes a short refusal at once,
    // and a client that does not read cannot hold the supervisor. What the client already sent
    // is read (a little) first, so that closing does not reset the connection over the refusal.
    private void refuse(Fd conn) {
        try {
            Sockets.setNonBlocking(conn.get(), true);
            byte[] sink = new byte[4096];
            for (int i = 0; i < 4 && Sockets.recv(conn.get(), sink, 0, sink.length) > 0; i++) {
                // drop it
            }
        } catch (PosixException e) {
            // nothing to read, or the client is gone
        }
        if (refusal == null || refusal.length == 0) {
            return;
        }
        try {
            Sockets.send(conn.get(), refusal, 0, refusal.length);
        } catch (PosixException e) {
            // best effort
        }
    }
}
