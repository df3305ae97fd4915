package kraken.master.status;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import kraken.net.HostPort;
import kraken.settings.Settings;

/**
 * The master's status server (docs/operations.md): HTTP/1.0 and 1.1 GET (and HEAD) of /metrics and
 * /status on the address kraken.status names, TCP or a Unix-domain socket.
 *
 * It runs on a thread of its own with non-blocking sockets and one selector, and shares nothing
 * with the supervisor but the {@link StatusBoard}: a client that is slow, silent or hostile
 * costs this thread a few bytes and a slot, never the supervisor a moment. It cannot grow without
 * bound: at most {@link #MAX_CLIENTS} clients at once (the next is told 503 and closed), a request
 * head of at most {@link #MAX_REQUEST} bytes (431), {@link #CLIENT_SECONDS} seconds per client
 * from accept to the last byte, whatever it sends. One response per connection (Connection: close).
 */
public final class StatusServer implements AutoCloseable {
    static final int MAX_CLIENTS = 16;
    static final int MAX_REQUEST = 8192;
    static final long CLIENT_SECONDS = 5;
    private static final long CLIENT_NANOS = CLIENT_SECONDS * 1_000_000_000L;
    /** How long a request waits for the supervisor's fresh snapshot before the last one is served. */
    private static final long SNAPSHOT_WAIT_NANOS = 1_000_000_000L;
    /** A snapshot this young answers a request as it is: at most 100 snapshots a second are asked for. */
    private static final long SNAPSHOT_REUSE_NANOS = 10_000_000L;
    private static final int BACKLOG = 64;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final StatusBoard board;
    private final Path unixPath;
    private final String where;
    private final List<Client> clients = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closing;

    private StatusServer(ServerSocketChannel server, Selector selector, StatusBoard board, Path unixPath,
                         String where) {
        this.server = server;
        this.selector = selector;
        this.board = board;
        this.unixPath = unixPath;
        this.where = where;
        this.thread = new Thread(this::run, "kraken-status");
        this.thread.setDaemon(true);
    }

    /** Binds kraken.status (the caller checked it is set); throws with the address on failure. */
    public static StatusServer bind(Settings s, StatusBoard board) throws IOException {
        String where = s.statusPath != null ? s.statusPath : HostPort.format(s.statusHost, s.statusPort);
        ServerSocketChannel ch = null;
        Path path = null;
        try {
            if (s.statusPath != null) {
                path = Path.of(s.statusPath);
                removeStaleSocket(path);
                ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                ch.bind(UnixDomainSocketAddress.of(path), BACKLOG);
            } else {
                InetAddress host = s.statusHost.equals("*") ? InetAddress.getByName("0.0.0.0")
                        : InetAddress.getByName(s.statusHost);
                ch = ServerSocketChannel.open();
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.bind(new InetSocketAddress(host, s.statusPort), BACKLOG);
            }
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_ACCEPT);
            StatusServer server = new StatusServer(ch, sel, board, path, where);
            board.onPublish(sel::wakeup);
            return server;
        } catch (UnknownHostException e) {
            close(ch);
            throw new IOException("status: bind " + where + ": unknown host");
        } catch (IOException e) {
            close(ch);
            throw new IOException("status: bind " + where + ": " + e.getMessage());
        }
    }

    /** A socket file left by a master that is gone is replaced; anything else at the path is not touched. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0140000) {
            throw new IOException("the path exists and is not a socket");
        }
        boolean answered;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            answered = true;
        } catch (IOException refused) {
            answered = false;
        }
        if (answered) {
            throw new IOException("Address already in use (a server answers there)");
        }
        Files.delete(path);
    }

    /** "127.0.0.1:9100" or the socket's path. */
    public String where() {
        return where;
    }

    public void start() {
        thread.start();
    }

    @Override
    public void close() {
        closing = true;
        selector.wakeup();
        if (thread.isAlive()) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Client c : clients) {
            close(c.channel);
        }
        clients.clear();
        close(server);
        try {
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                // Replaced at the next start anyway.
            }
        }
    }

    // ---- the status thread ----

    private void run() {
        while (!closing) {
            try {
                long now = System.nanoTime();
                long wake = Long.MAX_VALUE;
                for (Client c : clients) {
                    wake = Math.min(wake, c.waitingSince != 0 ? Math.min(c.deadline, c.waitingSince
                            + SNAPSHOT_WAIT_NANOS) : c.deadline);
                }
                if (wake == Long.MAX_VALUE) {
                    selector.select();
                } else {
                    selector.select(Math.max(1, (wake - now + 999_999) / 1_000_000));
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.channel() == server) {
                        acceptAll();
                    } else {
                        handle((Client) k.attachment(), k);
                    }
                }
                now = System.nanoTime();
                serveWaiting(now);
                expire(now);
            } catch (IOException | RuntimeException e) {
                if (!closing) {
                    // One bad client must not end the status server; drop every client and go on,
                    // after a pause, so that a failure that repeats (accept at EMFILE) cannot spin.
                    for (Client c : clients) {
                        close(c.channel);
                    }
                    clients.clear();
                    pause();
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptAll() throws IOException {
        for (int i = 0; i < 64; i++) {
            SocketChannel ch = server.accept();
            if (ch == null) {
                return;
            }
            ch.configureBlocking(false);
            if (clients.size() >= MAX_CLIENTS) {
                // Best effort, never waiting: the client learns why, and the slot stays free.
                try {
                    ch.write(ByteBuffer.wrap(response("HTTP/1.0", 503, "Service Unavailable",
                            "too many status clients\n", "text/plain; charset=utf-8", false)));
                } catch (IOException e) {
                    // gone already
                }
                close(ch);
                continue;
            }
            Client c = new Client(ch, System.nanoTime() + CLIENT_NANOS);
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            clients.add(c);
        }
    }

    private void handle(Client c, SelectionKey k) {
        try {
            if (k.isReadable()) {
                read(c);
            }
            if (c.out != null && k.isValid() && k.isWritable()) {
                write(c);
            }
        } catch (IOException e) {
            drop(c);
        }
    }

    private void read(Client c) throws IOException {
        if (c.out != null || c.waitingSince != 0) {
            // Request done: what more the client sends is read and thrown away, until its end.
            ByteBuffer sink = ByteBuffer.allocate(1024);
            int n;
            while ((n = c.channel.read(sink)) > 0) {
                sink.clear();
            }
            if (n < 0 && c.out == null) {
                drop(c); // gone before the answer
            } else if (n < 0 && c.drained) {
                drop(c);
            }
            return;
        }
        int n = c.channel.read(c.in);
        if (n < 0) {
            drop(c);
            return;
        }
        HttpRequest req = HttpRequest.parse(c.in, c.searched);
        c.searched = c.in.position();
        if (req == null) {
            if (!c.in.hasRemaining()) {
                reply(c, "HTTP/1.0", 431, "Request Header Fields Too Large", "request too large\n", false);
            }
            return;
        }
        c.request = req;
        if (req.error() != null) {
            reply(c, req.version(), req.status(), req.error(), req.error().toLowerCase() + "\n", req.head());
            return;
        }
        StatusSnapshot s = board.latest();
        long now = System.nanoTime();
        if (s != null && now - s.takenNanos() <= SNAPSHOT_REUSE_NANOS) {
            answer(c, s);
        } else {
            c.waitingSince = now;
            board.request();
        }
    }

    private void serveWaiting(long now) {
        StatusSnapshot s = board.latest();
        for (Client c : new ArrayList<>(clients)) {
            if (c.waitingSince == 0) {
                continue;
            }
            if (s != null && s.takenNanos() >= c.waitingSince) {
                answer(c, s);
            } else if (now - c.waitingSince >= SNAPSHOT_WAIT_NANOS) {
                if (s != null) {
                    answer(c, s); // the supervisor is late: the last snapshot is better than none
                } else {
                    reply(c, c.request.version(), 503, "Service Unavailable", "no status yet\n", false);
                }
            }
        }
    }

    private void answer(Client c, StatusSnapshot s) {
        c.waitingSince = 0;
        HttpRequest r = c.request;
        boolean metrics = r.path().equals("/metrics");
        String body = metrics ? PrometheusText.render(s) : StatusText.render(s);
        c.out = ByteBuffer.wrap(response(r.version(), 200, "OK", body,
                metrics ? PrometheusText.CONTENT_TYPE : "text/plain; charset=utf-8", r.head()));
        writeSafely(c);
    }

    private void reply(Client c, String version, int status, String reason, String body, boolean head) {
        c.waitingSince = 0;
        c.out = ByteBuffer.wrap(response(version, status, reason, body, "text/plain; charset=utf-8", head));
        writeSafely(c);
    }

    private void writeSafely(Client c) {
        try {
            write(c);
        } catch (IOException e) {
            drop(c);
        }
    }

    private void write(Client c) throws IOException {
        c.channel.write(c.out);
        if (c.out.hasRemaining()) {
            c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            return;
        }
        // All sent: end our side and wait for the client's end, so that unread request bytes do
        // not turn the close into a reset that could cut the response.
        c.channel.shutdownOutput();
        c.drained = true;
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void expire(long now) {
        for (Client c : new ArrayList<>(clients)) {
            if (now - c.deadline >= 0) {
                drop(c);
            }
        }
    }

    private void drop(Client c) {
        clients.remove(c);
        if (c.key != null) {
            c.key.cancel();
        }
        close(c.channel);
    }

    static byte[] response(String version, int status, String reason, String body, String type, boolean head) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String h = version + " " + status + " " + reason + "\r\n"
                + "Content-Type: " + type + "\r\n"
                + "Content-Length: " + b.length + "\r\n"
                + (status == 405 ? "Allow: GET, HEAD\r\n" : "")
                + "Cache-Control: no-store\r\n"
                + "Connection: close\r\n\r\n";
        byte[] hb = h.getBytes(StandardCharsets.ISO_8859_1);
        if (head) {
            return hb;
        }
        byte[] all = new byte[hb.length + b.length];
        System.arraycopy(hb, 0, all, 0, hb.length);
        System.arraycopy(b, 0, all, hb.length, b.length);
        return all;
    }

    private static void close(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closed is closed
            }
        }
    }

    /** One status client. Only the status thread touches it. */
    private static final class Client {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST);
        final long deadline;
        SelectionKey key;
        HttpRequest request;
        /** How much of in holds no end of the request's head. */
        int searched;
        /** When it began waiting for a fresh snapshot; 0 when it is not waiting. */
        long waitingSince;
        ByteBuffer out;
        boolean drained;

        Client(SocketChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
        }
    }

    /** For tests: the kind of address. */
    SocketAddress localAddress() throws IOException {
        return server.getLocalAddress();
    }
}
