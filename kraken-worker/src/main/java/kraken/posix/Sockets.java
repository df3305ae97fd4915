package kraken.posix;

/**
 * Sockets: create, bind, connect, listen, accept, send and receive, options. What the master's
 * listeners and the worker's kraken.socket objects are made of.
 * Each method returns its result or throws {@link PosixException} naming the call; raw results
 * and errno stay in this package ({@link Natives}).
 */
public final class Sockets {
    private Sockets() {}

    public static int socket(int domain, int type, int protocol) throws PosixException {
        return Natives.check("socket", Natives.socket0(domain, type, protocol));
    }

    /** Binds to an IPv4 (4 bytes) or IPv6 (16 bytes) address. */
    public static void bind(int fd, byte[] addr, int port) throws PosixException {
        Natives.check("bind", Natives.bind0(fd, addr, port));
    }

    public static void connect(int fd, byte[] addr, int port) throws PosixException {
        Natives.check("connect", Natives.connect0(fd, addr, port));
    }

    /** Binds an AF_UNIX socket to a path (or, with a leading NUL byte, an abstract name). */
    public static void bindUnix(int fd, byte[] path) throws PosixException {
        Natives.check("bind", Natives.bindUnix0(fd, path));
    }

    public static void connectUnix(int fd, byte[] path) throws PosixException {
        Natives.check("connect", Natives.connectUnix0(fd, path));
    }

    /** Sends one datagram to an AF_UNIX address without ever blocking (EAGAIN instead). */
    public static int sendtoUnix(int fd, byte[] data, int len, byte[] path) throws PosixException {
        return Natives.check("sendto", Natives.sendtoUnix0(fd, data, len, path));
    }

    /** recv(2) with flags such as MSG_PEEK and MSG_DONTWAIT; at most 4096 bytes per call. */
    public static int recv(int fd, byte[] buf, int off, int len, int flags) throws PosixException {
        return Natives.check("recv", Natives.recvFlags0(fd, buf, off, len, flags));
    }

    public static void listen(int fd, int backlog) throws PosixException {
        Natives.check("listen", Natives.listen0(fd, backlog));
    }

    /** Accepts a connection; the peer's address is written into {@code peer}. */
    public static int accept(int fd, SocketAddress peer) throws PosixException {
        return Natives.check("accept", Natives.accept0(fd, peer.raw, peer.info));
    }

    public static void getsockname(int fd, SocketAddress out) throws PosixException {
        Natives.check("getsockname", Natives.getsockname0(fd, out.raw, out.info));
    }

    public static void getpeername(int fd, SocketAddress out) throws PosixException {
        Natives.check("getpeername", Natives.getpeername0(fd, out.raw, out.info));
    }

    /** Reads up to len bytes; 0 means end of stream. */
    public static int recv(int fd, byte[] buf, int off, int len) throws PosixException {
        return Natives.check("recv", Natives.recv0(fd, buf, off, len));
    }

    /** Sends up to len bytes (at most 64 KiB per call) and returns how many were sent. */
    public static int send(int fd, byte[] buf, int off, int len) throws PosixException {
        return Natives.check("send", Natives.send0(fd, buf, off, len));
    }

    public static void setsockopt(int fd, int level, int option, int value) throws PosixException {
        Natives.check("setsockopt", Natives.setsockoptInt0(fd, level, option, value));
    }

    public static int getsockopt(int fd, int level, int option) throws PosixException {
        int[] out = new int[1];
        Natives.check("getsockopt", Natives.getsockoptInt0(fd, level, option, out));
        return out[0];
    }

    /**
     * A listening TCP socket's accept queue: {connections waiting for accept, the backlog's size}.
     * Fails (EINVAL, ENOPROTOOPT) for a socket that is not a listening TCP socket.
     */
    public static int[] listenQueue(int fd) throws PosixException {
        int[] out = new int[2];
        Natives.check("getsockopt(TCP_INFO)", Natives.listenQueue0(fd, out));
        return out;
    }

    public static void setLinger(int fd, boolean on, int seconds) throws PosixException {
        Natives.check("setsockopt", Natives.setLinger0(fd, on, seconds));
    }

    public static boolean getLinger(int fd) throws PosixException {
        return Natives.check("getsockopt", Natives.getLinger0(fd)) != 0;
    }

    /** Sets SO_RCVTIMEO or SO_SNDTIMEO; 0 means no timeout. */
    public static void setTimeout(int fd, int option, long micros) throws PosixException {
        Natives.check("setsockopt", Natives.setTimeout0(fd, option, micros));
    }

    public static long getTimeout(int fd, int option) throws PosixException {
        return Natives.check("getsockopt", Natives.getTimeout0(fd, option));
    }

    public static void setNonBlocking(int fd, boolean on) throws PosixException {
        Natives.check("fcntl", Natives.setNonBlocking0(fd, on));
    }
}
