package kraken.posix;

/**
 * The platform's numbers Kraken needs, read from the C headers at build time, and where the
 * native library came from. The calls themselves are in {@link Sockets}, {@link Descriptors},
 * {@link ThisProcess} and {@link Privileges} (kraken.posix.master has the master's own), all
 * over one package-private owner of the raw calls, {@link Natives}.
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

    private static final int[] CONSTANTS = Natives.constants0();

    /** Where libkraken.so came from, so that a worker JVM can load the same one; null when found on java.library.path. */
    public static String libraryPath() {
        return Natives.libraryPath();
    }
}
