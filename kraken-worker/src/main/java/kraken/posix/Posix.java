package kraken.posix;

import java.io.File;
import java.net.URISyntaxException;

/**
 * Every native call of the worker's module goes through this class (the master's own, epoll and
 * processes, go through kraken.posix.master.MasterNatives). The natives live in libkraken.so
 * (src/main/c): a JNI library costs a worker JVM about 10 ms to load, where jnr-posix costs
 * about 0.4 s, and a worker starts once per connection.
 *
 * Each public method either returns its result or throws {@link PosixException} naming the
 * call and carrying the OS's text. Raw return codes never leave this class.
 */
public final class Posix {
    private Posix() {}

    /** Platform numbers that Kraken itself needs, read from the C headers at build time. */
    public enum Constant {
        EAGAIN, EWOULDBLOCK, EINTR, EPIPE, ECONNRESET, EBADF, ECHILD, ENOMEM, ETIMEDOUT, ENOTCONN,
        SOL_SOCKET, SO_RCVTIMEO, SO_SNDTIMEO, SO_LINGER, SO_REUSEADDR, SO_ERROR,
        SOCK_STREAM, SOCK_SEQPACKET, AF_INET, AF_INET6, AF_UNIX,
        POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL,
        SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD,
        RLIMIT_CPU, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE,
        IPPROTO_IPV6, IPV6_V6ONLY, SIGXCPU,
        EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP,
        SOCK_DGRAM, SO_TYPE, SO_ACCEPTCONN, MSG_PEEK, MSG_DONTWAIT, ECONNREFUSED, ENOENT, EADDRINUSE;

        public final int value;

        Constant() {
            this.value = CONSTANTS[ordinal()];
        }
    }

    private static final int[] CONSTANTS;

    static {
        load();
        CONSTANTS = constants0();
    }

    /** The path libkraken.so was loaded from; null when found on java.library.path. */
    private static String libraryPath;

    private static void load() {
        String explicit = System.getProperty("kraken.native");
        File lib = explicit != null && new File(explicit).isFile() ? new File(explicit) : besideCode();
        if (lib != null) {
            libraryPath = lib.getAbsolutePath();
            System.load(libraryPath);
            return;
        }
        System.loadLibrary("kraken");
    }

    /** Where libkraken.so came from, so that a worker JVM can load the same one. */
    public static String libraryPath() {
        return libraryPath;
    }

    // Installed, libkraken.so sits beside the jars; in a build tree, in target/native.
    private static File besideCode() {
        try {
            File code = new File(Posix.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            File dir = code.getParentFile();
            for (File f : new File[] {new File(dir, "libkraken.so"), new File(dir, "native/libkraken.so")}) {
                if (f.isFile()) {
                    return f;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // No usable code location: fall back to java.library.path.
        }
        return null;
    }

    private static int check(String call, int r) throws PosixException {
        if (r < 0) {
            throw new PosixException(call, -r);
        }
        return r;
    }

    private static long check(String call, long r) throws PosixException {
        if (r < 0) {
            throw new PosixException(call, (int) -r);
        }
        return r;
    }

    static String strerror(int errno) {
        return strerror0(errno);
    }

    // ---- sockets ----

    public static int socket(int domain, int type, int protocol) throws PosixException {
        return check("socket", socket0(domain, type, protocol));
    }

    /** Closes fd. Callers go through {@link Fd#close()}, which makes sure this happens once. */
    static void close(int fd) throws PosixException {
        check("close", close0(fd));
    }

    /** Binds to an IPv4 (4 bytes) or IPv6 (16 bytes) address. */
    public static void bind(int fd, byte[] addr, int port) throws PosixException {
        check("bind", bind0(fd, addr, port));
    }

    public static void connect(int fd, byte[] addr, int port) throws PosixException {
        check("connect", connect0(fd, addr, port));
    }

    /** Binds an AF_UNIX socket to a path (or, with a leading NUL byte, an abstract name). */
    public static void bindUnix(int fd, byte[] path) throws PosixException {
        check("bind", bindUnix0(fd, path));
    }

    public static void connectUnix(int fd, byte[] path) throws PosixException {
        check("connect", connectUnix0(fd, path));
    }

    /** Sends one datagram to an AF_UNIX address without ever blocking (EAGAIN instead). */
    public static int sendtoUnix(int fd, byte[] data, int len, byte[] path) throws PosixException {
        return check("sendto", sendtoUnix0(fd, data, len, path));
    }

    /** recv(2) with flags such as MSG_PEEK and MSG_DONTWAIT; at most 4096 bytes per call. */
    public static int recv(int fd, byte[] buf, int off, int len, int flags) throws PosixException {
        return check("recv", recvFlags0(fd, buf, off, len, flags));
    }

    /** Marks an inherited descriptor close-on-exec. */
    public static void setCloseOnExec(int fd) throws PosixException {
        check("fcntl", setCloseOnExec0(fd));
    }

    /** Removes a variable from the process's C environment (System.getenv keeps its own copy). */
    public static void unsetenv(String name) throws PosixException {
        check("unsetenv", unsetenv0(name));
    }

    /** Whether fd is an open descriptor of this process. */
    public static boolean isOpen(int fd) {
        return isOpen0(fd) == 1;
    }

    public static void listen(int fd, int backlog) throws PosixException {
        check("listen", listen0(fd, backlog));
    }

    /** Accepts a connection; the peer's address is written into {@code peer}. */
    public static int accept(int fd, SocketAddress peer) throws PosixException {
        return check("accept", accept0(fd, peer.raw, peer.info));
    }

    public static void getsockname(int fd, SocketAddress out) throws PosixException {
        check("getsockname", getsockname0(fd, out.raw, out.info));
    }

    public static void getpeername(int fd, SocketAddress out) throws PosixException {
        check("getpeername", getpeername0(fd, out.raw, out.info));
    }

    /** Reads up to len bytes; 0 means end of stream. */
    public static int recv(int fd, byte[] buf, int off, int len) throws PosixException {
        return check("recv", recv0(fd, buf, off, len));
    }

    /** Sends up to len bytes (at most 64 KiB per call) and returns how many were sent. */
    public static int send(int fd, byte[] buf, int off, int len) throws PosixException {
        return check("send", send0(fd, buf, off, len));
    }

    public static void setsockopt(int fd, int level, int option, int value) throws PosixException {
        check("setsockopt", setsockoptInt0(fd, level, option, value));
    }

    public static int getsockopt(int fd, int level, int option) throws PosixException {
        int[] out = new int[1];
        check("getsockopt", getsockoptInt0(fd, level, option, out));
        return out[0];
    }

    /**
     * A listening TCP socket's accept queue: {connections waiting for accept, the backlog's size}.
     * Fails (EINVAL, ENOPROTOOPT) for a socket that is not a listening TCP socket.
     */
    public static int[] listenQueue(int fd) throws PosixException {
        int[] out = new int[2];
        check("getsockopt(TCP_INFO)", listenQueue0(fd, out));
        return out;
    }

    public static void setLinger(int fd, boolean on, int seconds) throws PosixException {
        check("setsockopt", setLinger0(fd, on, seconds));
    }

    public static boolean getLinger(int fd) throws PosixException {
        return check("getsockopt", getLinger0(fd)) != 0;
    }

    /** Sets SO_RCVTIMEO or SO_SNDTIMEO; 0 means no timeout. */
    public static void setTimeout(int fd, int option, long micros) throws PosixException {
        check("setsockopt", setTimeout0(fd, option, micros));
    }

    public static long getTimeout(int fd, int option) throws PosixException {
        return check("getsockopt", getTimeout0(fd, option));
    }

    public static void setNonBlocking(int fd, boolean on) throws PosixException {
        check("fcntl", setNonBlocking0(fd, on));
    }

    // ---- the master/worker link ----

    /** A connected pair of AF_UNIX sockets of the given type, both close-on-exec. */
    public static int[] socketpair(int type) throws PosixException {
        int[] out = new int[2];
        check("socketpair", socketpair0(type, out));
        return out;
    }

    /** Sends one message, with passFd attached as SCM_RIGHTS unless it is negative. */
    public static void sendmsg(int fd, byte[] data, int len, int passFd) throws PosixException {
        check("sendmsg", sendmsg0(fd, data, len, passFd));
    }

    /**
     * Receives one message into buf; fdOut[0] gets a passed descriptor or -1.
     * Returns the byte count, 0 at end of stream.
     */
    public static int recvmsg(int fd, byte[] buf, int[] fdOut) throws PosixException {
        return check("recvmsg", recvmsg0(fd, buf, fdOut));
    }

    /** poll(2) over the first count entries; returns how many have events. */
    public static int poll(int[] fds, short[] events, short[] revents, int count, int timeoutMs) throws PosixException {
        return check("poll", poll0(fds, events, revents, count, timeoutMs));
    }

    /**
     * Ends the process now with this status, without the JVM's shutdown (no hooks, no
     * finalisation): for a worker whose outcome the master already has. Flush streams first.
     */
    public static void exitNow(int status) {
        exitNow0(status);
    }

    /** A close-on-exec pipe {read, write}; the read end is non-blocking, the write end if asked. */
    public static int[] pipe(boolean nonBlockingWrite) throws PosixException {
        int[] out = new int[2];
        check("pipe2", pipe0(out, nonBlockingWrite));
        return out;
    }

    public static int write(int fd, byte[] buf, int len) throws PosixException {
        return check("write", write0(fd, buf, len));
    }

    public static int read(int fd, byte[] buf, int len) throws PosixException {
        return check("read", read0(fd, buf, len));
    }

    // ---- sealed memory files (the state image beside HELLO; see kraken_posix.c) ----

    /** A close-on-exec memfd holding data, sealed against writes, growth, shrinking and new seals. */
    public static int sealedMemfd(String name, byte[] data) throws PosixException {
        return check("memfd_create", sealedMemfd0(name.getBytes(java.nio.charset.StandardCharsets.UTF_8), data,
                data.length));
    }

    /** The size of fd; throws (EPERM) unless fd carries all four seals, so its bytes cannot change. */
    public static long sealedSize(int fd) throws PosixException {
        return check("fcntl(F_GET_SEALS)", sealedSize0(fd));
    }

    /** Reads buf.length bytes from offset 0 of fd; the count read (less only at end of file). */
    public static int preadAll(int fd, byte[] buf) throws PosixException {
        return check("pread", preadAll0(fd, buf, buf.length));
    }

    // ---- processes ----

    public static int getpid() {
        return getpid0();
    }

    public static boolean isatty(int fd) {
        return isatty0(fd) == 1;
    }

    public static void setParentDeathSignal(int signal) throws PosixException {
        check("prctl", setParentDeathSignal0(signal));
    }

    public static void setrlimit(int resource, long soft, long hard) throws PosixException {
        check("setrlimit", setrlimit0(resource, soft, hard));
    }

    /** {soft, hard}; -1 stands for no limit. */
    public static long[] getrlimit(int resource) throws PosixException {
        long[] out = new long[2];
        check("getrlimit", getrlimit0(resource, out));
        return out;
    }

    /** {process group, session} of this process. */
    public static int[] getpgsid() throws PosixException {
        int[] out = new int[2];
        check("getsid", getpgsid0(out));
        return out;
    }

    /** CPU time used so far by the whole process, every thread, in nanoseconds. */
    public static long processCpuNanos() throws PosixException {
        return check("clock_gettime", processCpuNanos0());
    }

    // ---- users and privileges ----

    public static boolean noNewPrivs() throws PosixException {
        return check("prctl", getPrctl0(0)) == 1;
    }

    /** PR_SET_DUMPABLE: off, no core dump, no ptrace and no /proc access by same-uid processes. */
    public static void setDumpable(boolean on) throws PosixException {
        check("prctl", setDumpable0(on));
    }

    public static boolean dumpable() throws PosixException {
        return check("prctl", getPrctl0(1)) != 0;
    }

    /**
     * In every thread of this process: sets no_new_privs (no execve can grant a privilege: setuid
     * bits, file capabilities), empties the inheritable capability set and, with dropBoundingSet,
     * the bounding and ambient sets, which needs CAP_SETPCAP, so before the uid switch. Each of
     * these is a per-thread attribute; threads started afterwards inherit them.
     */
    public static void hardenAllThreads(boolean dropBoundingSet) throws PosixException {
        check("prctl", hardenAllThreads0(dropBoundingSet));
    }

    public static void setgroups(int[] groups) throws PosixException {
        check("setgroups", setgroups0(groups));
    }

    /** Sets the real, effective and saved group id. */
    public static void setgid(int gid) throws PosixException {
        check("setresgid", setgid0(gid));
    }

    /** Sets the real, effective and saved user id. */
    public static void setuid(int uid) throws PosixException {
        check("setresuid", setuid0(uid));
    }

    /** {real, effective, saved} uid followed by {real, effective, saved} gid. */
    public static int[] getresids() throws PosixException {
        int[] ids = new int[6];
        check("getresuid", getresids0(ids));
        return ids;
    }

    /** The effective uid (getresuid cannot fail for the calling process). */
    public static int geteuid() {
        int[] ids = new int[6];
        if (getresids0(ids) < 0) {
            throw new IllegalStateException("getresuid(..) failed");
        }
        return ids[1];
    }

    public static int[] getgroups() {
        int[] g = getgroups0();
        if (g == null) {
            throw new IllegalStateException("getgroups(..) failed");
        }
        return g;
    }

    /** A user from the password database, with its groups; null if there is none. */
    public static User getpwnam(String name) {
        return User.of(getpw0(name, 0));
    }

    public static User getpwuid(int uid) {
        return User.of(getpw0(null, uid));
    }

    /** A password database entry: name, uid, primary gid and every group it belongs to. */
    public record User(String name, int uid, int gid, int[] groups) {
        static User of(String[] raw) {
            if (raw == null) {
                return null;
            }
            int[] groups = new int[raw.length - 3];
            for (int i = 0; i < groups.length; i++) {
                groups[i] = Integer.parseUnsignedInt(raw[3 + i]);
            }
            return new User(raw[0], Integer.parseUnsignedInt(raw[1]), Integer.parseUnsignedInt(raw[2]), groups);
        }
    }

    private static native String strerror0(int errno);
    private static native int socket0(int domain, int type, int protocol);
    private static native int close0(int fd);
    private static native int bind0(int fd, byte[] addr, int port);
    private static native int connect0(int fd, byte[] addr, int port);
    private static native int listen0(int fd, int backlog);
    private static native int bindUnix0(int fd, byte[] path);
    private static native int connectUnix0(int fd, byte[] path);
    private static native int sendtoUnix0(int fd, byte[] data, int len, byte[] path);
    private static native int recvFlags0(int fd, byte[] buf, int off, int len, int flags);
    private static native int setCloseOnExec0(int fd);
    private static native int unsetenv0(String name);
    private static native int isOpen0(int fd);
    private static native int accept0(int fd, byte[] addr, int[] info);
    private static native int getsockname0(int fd, byte[] addr, int[] info);
    private static native int getpeername0(int fd, byte[] addr, int[] info);
    private static native int recv0(int fd, byte[] buf, int off, int len);
    private static native int send0(int fd, byte[] buf, int off, int len);
    private static native int setsockoptInt0(int fd, int level, int opt, int value);
    private static native int getsockoptInt0(int fd, int level, int opt, int[] out);
    private static native int listenQueue0(int fd, int[] out);
    private static native int setLinger0(int fd, boolean on, int seconds);
    private static native int getLinger0(int fd);
    private static native int setTimeout0(int fd, int opt, long micros);
    private static native long getTimeout0(int fd, int opt);
    private static native int setNonBlocking0(int fd, boolean on);
    private static native int socketpair0(int type, int[] out);
    private static native int sendmsg0(int fd, byte[] data, int len, int passFd);
    private static native int recvmsg0(int fd, byte[] buf, int[] fdOut);
    private static native int poll0(int[] fds, short[] events, short[] revents, int count, int timeoutMs);
    private static native void exitNow0(int status);
    private static native int pipe0(int[] out, boolean nonBlockingWrite);
    private static native int sealedMemfd0(byte[] name, byte[] data, int len);
    private static native long sealedSize0(int fd);
    private static native int preadAll0(int fd, byte[] buf, int len);
    private static native int write0(int fd, byte[] buf, int len);
    private static native int read0(int fd, byte[] buf, int len);
    private static native int getpid0();
    private static native int isatty0(int fd);
    private static native int setParentDeathSignal0(int sig);
    private static native int setrlimit0(int resource, long soft, long hard);
    private static native int getrlimit0(int resource, long[] out);
    private static native int getpgsid0(int[] out);
    private static native long processCpuNanos0();
    private static native int getPrctl0(int which);
    private static native int setDumpable0(boolean on);
    private static native int hardenAllThreads0(boolean dropBoundingSet);
    private static native int setgroups0(int[] groups);
    private static native int setgid0(int gid);
    private static native int setuid0(int uid);
    private static native int getresids0(int[] ids);
    private static native int[] getgroups0();
    private static native String[] getpw0(String name, int uid);
    private static native int[] constants0();
}
