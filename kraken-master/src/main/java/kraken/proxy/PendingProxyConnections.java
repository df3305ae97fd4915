package kraken.proxy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;

/**
 * Connections from trusted proxies whose PROXY header the master is still reading, for the
 * supervisor thread alone. It polls {@link #descriptors()}; each readable one gets
 * {@link #read}, which peeks without waiting (MSG_PEEK | MSG_DONTWAIT) and consumes exactly the
 * header's bytes, so no application byte is ever taken and a slow client never holds the
 * supervisor. A header not complete within {@value #TIMEOUT_SECONDS} seconds, an invalid one,
 * or a connection that ends first is closed and counted by reason. A connection whose header
 * is complete waits in arrival order for a ready worker ({@link #nextComplete()}). At most
 * {@link #capacity} connections are held at once; the supervisor stops accepting while full,
 * so the kernel's backlog holds the rest.
 */
public final class PendingProxyConnections {
    public static final int TIMEOUT_SECONDS = 3;
    private static final long TIMEOUT_NANOS = TIMEOUT_SECONDS * 1_000_000_000L;
    private static final int PEEK = 256;

    /** A connection whose header is complete: the client's address, or the real one. */
    public record Complete(Fd conn, SocketAddress proxy, ProxyHeader.Result header, Object listener) {}

    private static final class Entry {
        final Fd conn;
        final SocketAddress proxy;
        final Object listener;
        final long deadline;
        final ProxyHeader header = new ProxyHeader();

        Entry(Fd conn, SocketAddress proxy, Object listener, long deadline) {
            this.conn = conn;
            this.proxy = proxy;
            this.listener = listener;
            this.deadline = deadline;
        }
    }

    private final int capacity;
    private final Consumer<String> log;
    /** Told each refusal's reason as it happens (the metrics). */
    private final Consumer<String> refused;
    private final List<Entry> reading = new ArrayList<>();
    private final ArrayDeque<Complete> complete = new ArrayDeque<>();
    private final Map<String, Long> refusals = new LinkedHashMap<>();
    private final byte[] peek = new byte[PEEK];
    private final byte[] sink = new byte[PEEK];

    public PendingProxyConnections(int capacity, Consumer<String> log, Consumer<String> refused) {
        this.capacity = capacity;
        this.log = log;
        this.refused = refused;
    }

    public int size() {
        return reading.size() + complete.size();
    }

    public boolean isFull() {
        return size() >= capacity;
    }

    /** Takes over an accepted connection (the caller no longer closes it) to read its header. */
    public void add(Fd conn, SocketAddress proxy, Object listener, long now) {
        Entry e = new Entry(conn, proxy, listener, now + TIMEOUT_NANOS);
        reading.add(e);
        // Most proxies send the header with the connection: it may be there already.
        read(e);
    }

    /** The connections whose header is still coming, to poll for input. */
    public List<Fd> descriptors() {
        List<Fd> out = new ArrayList<>(reading.size());
        for (Entry e : reading) {
            out.add(e.conn);
        }
        return out;
    }

    /** Reads what conn (one of {@link #descriptors()}) has of its header, without waiting. */
    public void read(Fd conn) {
        for (Entry e : reading) {
            if (e.conn == conn) {
                read(e);
                return;
            }
        }
    }

    private void read(Entry e) {
        try {
            while (!e.header.isComplete()) {
                int n = Sockets.recv(e.conn.get(), peek, 0, peek.length,
                        Posix.Constant.MSG_PEEK.value | Posix.Constant.MSG_DONTWAIT.value);
                if (n == 0) {
                    refuse(e, "proxy_closed", "the connection ended before its PROXY header");
                    return;
                }
                int k = e.header.offer(peek, n);
                consume(e.conn, k);
            }
            reading.remove(e);
            complete.addLast(new Complete(e.conn, e.proxy, e.header.result(), e.listener));
        } catch (ProxyHeader.Invalid bad) {
            refuse(e, "proxy_invalid", "invalid PROXY header: " + bad.getMessage());
        } catch (PosixException x) {
            if (!x.isWouldBlock()) {
                refuse(e, "proxy_closed", "reading its PROXY header failed: " + x.reason());
            }
        }
    }

    // Takes exactly k bytes, which a peek has just shown are there (a stream keeps its order).
    private void consume(Fd conn, int k) throws PosixException {
        int done = 0;
        while (done < k) {
            int n = Sockets.recv(conn.get(), sink, 0, k - done, Posix.Constant.MSG_DONTWAIT.value);
            if (n == 0) {
                throw new IllegalStateException("peeked bytes vanished");
            }
            done += n;
        }
    }

    private void refuse(Entry e, String reason, String why) {
        reading.remove(e);
        e.conn.close();
        refusals.merge(reason, 1L, Long::sum);
        refused.accept(reason);
        log.accept("connection from proxy " + e.proxy + " closed: " + why);
    }

    /** Closes the connections whose header did not come in time. */
    public void expire(long now) {
        for (Iterator<Entry> it = reading.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (now - e.deadline >= 0) {
                it.remove();
                e.conn.close();
                refusals.merge("proxy_timeout", 1L, Long::sum);
                refused.accept("proxy_timeout");
                log.accept("connection from proxy " + e.proxy + " closed: no complete PROXY header within "
                        + TIMEOUT_SECONDS + " s");
            }
        }
    }

    /** When the earliest header is due; Long.MAX_VALUE when none is awaited. */
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Entry e : reading) {
            next = Math.min(next, e.deadline);
        }
        return next;
    }

    /** The next connection whose header is complete, now the caller's to hand over and close; or null. */
    public Complete nextComplete() {
        return complete.pollFirst();
    }

    public boolean hasComplete() {
        return !complete.isEmpty();
    }

    /** Connections closed before a worker saw them, by reason (proxy_invalid, proxy_timeout, proxy_closed). */
    public Map<String, Long> refusals() {
        return Map.copyOf(refusals);
    }

    /** Closes everything held (a stop). */
    public void closeAll() {
        for (Entry e : reading) {
            e.conn.close();
        }
        reading.clear();
        for (Complete c : complete) {
            c.conn().close();
        }
        complete.clear();
    }
}
