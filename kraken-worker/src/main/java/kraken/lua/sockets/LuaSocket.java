package kraken.lua.sockets;

import java.lang.ref.Cleaner;
import java.net.UnknownHostException;
import kraken.lua.runtime.ConnectionResources;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;
import kraken.settings.Settings;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A socket object (docs/lua-api.md): a descriptor, its read buffer and the operations behind
 * the Lua methods of {@link SocketMethods}. Every operation returns its Lua results, failures
 * included ({@code nil, "timeout"}, {@code nil, "closed"}, {@code nil, <OS text>}); only
 * argument checking, done by the methods, raises.
 */
public final class LuaSocket extends LuaUserdata {
    private static final LuaString TIMEOUT = LuaString.valueOf("timeout");
    private static final LuaString CLOSED = LuaString.valueOf("closed");
    private static final LuaString LINE_TOO_LONG = LuaString.valueOf("line too long");

    /** The largest single read; rawrecv(n) returns at most this many bytes however large n is. */
    private static final int MAX_READ = 65536;
    /** Linger time for setoption(SO.LINGER, true), which names none. */
    private static final int DEFAULT_LINGER_SECONDS = 30;

    private static final class Gc {
        static final Cleaner CLEANER = Cleaner.create();
    }

    private final Fd fd;
    private final Settings settings;
    private final boolean ipv6;
    private final ReadBuffer in = new ReadBuffer();
    private final Cleaner.Cleanable cleanable;
    /** The peer ended the stream: nothing more will arrive. */
    private boolean eof;

    private LuaSocket(Fd fd, Settings settings, boolean ipv6) {
        super(null, SocketMethods.METATABLE);
        this.m_instance = this;
        this.fd = fd;
        this.settings = settings;
        this.ipv6 = ipv6;
        // The action holds the Fd alone: a reference to this socket would keep it reachable forever.
        this.cleanable = Gc.CLEANER.register(this, new CloseOnCollect(fd));
        ConnectionResources.track(new CloseOnCollect(fd));
    }

    /** The cleaner's action: a class, not a method reference, so no method-handle bootstrap per start. */
    private static final class CloseOnCollect implements Runnable {
        private final Fd fd;

        CloseOnCollect(Fd fd) {
            this.fd = fd;
        }

        @Override
        public void run() {
            fd.closeOnce();
        }
    }

    /**
     * A socket object for a connection this process already holds (the worker's passed
     * connection). The object owns fd from now on: closing it, or its garbage collection,
     * closes fd; closing fd directly as well stays harmless.
     */
    public static LuaSocket wrap(Fd fd, Settings settings) {
        boolean v6 = false;
        try {
            SocketAddress local = new SocketAddress();
            Sockets.getsockname(fd.get(), local);
            v6 = local.isIpv6();
        } catch (PosixException e) {
            // Not a socket we can name: it keeps the IPv4 default, and its calls report the OS's error.
        }
        return new LuaSocket(fd, settings, v6);
    }

    /** kraken.socket(domain, type, protocol). */
    public static Varargs open(int domain, int type, int protocol, Settings settings) {
        try {
            Fd fd = new Fd(Sockets.socket(domain, type, protocol));
            return new LuaSocket(fd, settings, domain == Posix.Constant.AF_INET6.value);
        } catch (PosixException e) {
            return failure(e);
        }
    }

    /** The descriptor, for the code that hands this socket around. */
    public Fd fd() {
        return fd;
    }

    public boolean isClosed() {
        return !fd.isOpen();
    }

    private static Varargs failure(PosixException e) {
        if (e.isWouldBlock()) {
            return varargsOf(NIL, TIMEOUT);
        }
        if (e.isPeerGone()) {
            return varargsOf(NIL, CLOSED);
        }
        return varargsOf(NIL, valueOf(e.reason()));
    }

    private static Varargs closed() {
        return varargsOf(NIL, CLOSED);
    }

    Varargs close() {
        cleanable.clean();
        return TRUE;
    }

    Varargs accept() {
        if (isClosed()) {
            return closed();
        }
        try {
            SocketAddress peer = new SocketAddress();
            LuaSocket client = new LuaSocket(new Fd(Sockets.accept(fd.get(), peer)), settings, ipv6);
            LuaTable from = new LuaTable();
            from.set("host", peer.host() == null ? NIL : valueOf(peer.host()));
            from.set("port", peer.port());
            return varargsOf(client, from);
        } catch (PosixException e) {
            return failure(e);
        }
    }

    Varargs bind(String host, int port) {
        return toAddress(host, port, false);
    }

    /** Not in the contract (docs/lua-api.md): lets a script be its own client. */
    Varargs connect(String host, int port) {
        return toAddress(host, port, true);
    }

    // "*" is the any-address of the socket's family; an IPv6 socket reaches IPv4 hosts mapped.
    private Varargs toAddress(String host, int port, boolean connect) {
        if (isClosed()) {
            return closed();
        }
        try {
            byte[] address = SocketAddress.of(host, port, ipv6).address();
            if (connect) {
                Sockets.connect(fd.get(), address, port);
            } else {
                Sockets.bind(fd.get(), address, port);
            }
            return TRUE;
        } catch (UnknownHostException e) {
            return varargsOf(NIL, valueOf("unknown host: " + host));
        } catch (PosixException e) {
            return failure(e);
        }
    }

    Varargs listen(int backlog) {
        if (isClosed()) {
            return closed();
        }
        try {
            Sockets.listen(fd.get(), backlog);
            return TRUE;
        } catch (PosixException e) {
            return failure(e);
        }
    }

    /** getip() and getport(): the bound address, nil when unbound (the kernel reports port 0). */
    Varargs localAddress(boolean wantPort) {
        if (isClosed()) {
            return closed();
        }
        try {
            SocketAddress local = new SocketAddress();
            Sockets.getsockname(fd.get(), local);
            if (!local.isIp() || local.port() == 0) {
                return NIL;
            }
            return wantPort ? valueOf(local.port()) : valueOf(local.host());
        } catch (PosixException e) {
            return failure(e);
        }
    }

    Varargs getTimeout() {
        if (isClosed()) {
            return closed();
        }
        try {
            LuaTable t = new LuaTable();
            t.set("rcvtimeo", Sockets.getTimeout(fd.get(), Posix.Constant.SO_RCVTIMEO.value) / 1e6);
            t.set("sndtimeo", Sockets.getTimeout(fd.get(), Posix.Constant.SO_SNDTIMEO.value) / 1e6);
            return t;
        } catch (PosixException e) {
            return failure(e);
        }
    }

    Varargs setTimeout(double seconds) {
        if (isClosed()) {
            return closed();
        }
        long micros = micros(seconds);
        try {
            Sockets.setTimeout(fd.get(), Posix.Constant.SO_RCVTIMEO.value, micros);
            Sockets.setTimeout(fd.get(), Posix.Constant.SO_SNDTIMEO.value, micros);
            return TRUE;
        } catch (PosixException e) {
            return failure(e);
        }
    }

    /**
     * Seconds as a timeval's microseconds, 0 meaning none. Like LuaSocket, a negative or
     * infinite timeout is none; a positive one never rounds down to none.
     */
    static long micros(double seconds) {
        if (!(seconds > 0) || seconds > 1e12) {
            return 0;
        }
        return Math.max(1, Math.round(seconds * 1e6));
    }

    Varargs getOption(int option) {
        if (isClosed()) {
            return closed();
        }
        try {
            int f = fd.get();
            if (option == Posix.Constant.SO_LINGER.value) {
                return valueOf(Sockets.getLinger(f));
            }
            if (isTimeout(option)) {
                return valueOf(Sockets.getTimeout(f, option) != 0);
            }
            return valueOf(Sockets.getsockopt(f, Posix.Constant.SOL_SOCKET.value, option) != 0);
        } catch (PosixException e) {
            return failure(e);
        }
    }

    /** value is a boolean, or a number: the option's integer, the linger or timeout in seconds. */
    Varargs setOption(int option, LuaValue value) {
        if (isClosed()) {
            return closed();
        }
        boolean isNumber = value.type() == TNUMBER;
        try {
            int f = fd.get();
            if (option == Posix.Constant.SO_LINGER.value) {
                boolean on = isNumber ? value.todouble() >= 0 : value.toboolean();
                Sockets.setLinger(f, on, isNumber ? (int) value.todouble() : DEFAULT_LINGER_SECONDS);
            } else if (isTimeout(option)) {
                if (!isNumber && value.toboolean()) {
                    return varargsOf(NIL, valueOf("a timeout is a number of seconds"));
                }
                Sockets.setTimeout(f, option, isNumber ? micros(value.todouble()) : 0);
            } else {
                int v = isNumber ? (int) value.todouble() : (value.toboolean() ? 1 : 0);
                Sockets.setsockopt(f, Posix.Constant.SOL_SOCKET.value, option, v);
            }
            return TRUE;
        } catch (PosixException e) {
            return failure(e);
        }
    }

    private static boolean isTimeout(int option) {
        return option == Posix.Constant.SO_RCVTIMEO.value || option == Posix.Constant.SO_SNDTIMEO.value;
    }

    /** Buffered bytes first; otherwise one recv(2) of up to n bytes. */
    Varargs rawrecv(int n) {
        if (isClosed()) {
            return closed();
        }
        if (!in.isEmpty()) {
            return in.take(n);
        }
        if (eof) {
            return closed();
        }
        byte[] b = new byte[Math.min(n, MAX_READ)];
        try {
            int got = Sockets.recv(fd.get(), b, 0, b.length);
            if (got == 0) {
                eof = true;
                return closed();
            }
            return got * 2 < b.length ? LuaString.valueOf(b, 0, got) : LuaString.valueUsing(b, 0, got);
        } catch (PosixException e) {
            return failure(e);
        }
    }

    Varargs receive() {
        if (isClosed()) {
            return closed();
        }
        int limit = settings.limitLine;
        for (;;) {
            LuaValue line = in.nextLine(limit);
            if (line == null && eof) {
                line = in.lastLine(limit);
                if (line == null) {
                    return closed();
                }
            }
            if (line != null) {
                return line == ReadBuffer.TOO_LONG ? varargsOf(NIL, LINE_TOO_LONG) : line;
            }
            in.prepareRead();
            try {
                int got = Sockets.recv(fd.get(), in.array(), in.writeOffset(), in.writable());
                if (got == 0) {
                    eof = true;
                } else {
                    in.wrote(got);
                }
            } catch (PosixException e) {
                if (!e.isPeerGone()) {
                    return failure(e);
                }
                // A reset ends the stream like a close: what arrived before it is still returned.
                eof = true;
            }
        }
    }

    /** One send(2): returns how many bytes went. */
    Varargs rawsend(byte[] data, int off, int len) {
        if (isClosed()) {
            return closed();
        }
        if (len == 0) {
            return valueOf(0);
        }
        try {
            return valueOf(Sockets.send(fd.get(), data, off, len));
        } catch (PosixException e) {
            return failure(e);
        }
    }

    /**
     * Sends s .. "\r\n" completely. On a failure part way, the bytes already sent are a third
     * result, as in LuaSocket.
     */
    Varargs send(LuaString s) {
        if (isClosed()) {
            return closed();
        }
        byte[] data = new byte[s.m_length + 2];
        s.copyInto(0, data, 0, s.m_length);
        data[s.m_length] = '\r';
        data[s.m_length + 1] = '\n';
        int sent = 0;
        try {
            while (sent < data.length) {
                sent += Sockets.send(fd.get(), data, sent, data.length - sent);
            }
            return valueOf(sent);
        } catch (PosixException e) {
            Varargs f = failure(e);
            return varargsOf(f.arg1(), f.arg(2), valueOf(sent));
        }
    }

    // LuaUserdata hashes and compares its m_instance, which is this object: identity, not recursion.
    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public String tojstring() {
        return isClosed() ? "socket (closed)" : "socket (fd " + fd.get() + ")";
    }
}
