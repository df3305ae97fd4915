package kraken.posix;

/**
 * Descriptors and passing them: the master/worker link (SOCK_SEQPACKET pairs, a descriptor
 * passed with SCM_RIGHTS), pipes, poll(2), sealed memory files, close-on-exec.
 * Each method returns its result or throws {@link PosixException} naming the call; raw results
 * and errno stay in this package ({@link Natives}).
 */
public final class Descriptors {
    private Descriptors() {}

    /** Closes fd. Callers go through {@link Fd#close()}, which makes sure this happens once. */
    static void close(int fd) throws PosixException {
        Natives.check("close", Natives.close0(fd));
    }

    /** Marks an inherited descriptor close-on-exec. */
    public static void setCloseOnExec(int fd) throws PosixException {
        Natives.check("fcntl", Natives.setCloseOnExec0(fd));
    }

    /** Whether fd is an open descriptor of this process. */
    public static boolean isOpen(int fd) {
        return Natives.isOpen0(fd) == 1;
    }

    /** A connected pair of AF_UNIX sockets of the given type, both close-on-exec. */
    public static int[] socketpair(int type) throws PosixException {
        int[] out = new int[2];
        Natives.check("socketpair", Natives.socketpair0(type, out));
        return out;
    }

    /** Sends one message, with passFd attached as SCM_RIGHTS unless it is negative. */
    public static void sendmsg(int fd, byte[] data, int len, int passFd) throws PosixException {
        Natives.check("sendmsg", Natives.sendmsg0(fd, data, len, passFd));
    }

    /**
     * Receives one message into buf; fdOut[0] gets a passed descriptor or -1.
     * Returns the byte count, 0 at end of stream.
     */
    public static int recvmsg(int fd, byte[] buf, int[] fdOut) throws PosixException {
        return Natives.check("recvmsg", Natives.recvmsg0(fd, buf, fdOut));
    }

    /** poll(2) over the first count entries; returns how many have events. */
    public static int poll(int[] fds, short[] events, short[] revents, int count, int timeoutMs) throws PosixException {
        return Natives.check("poll", Natives.poll0(fds, events, revents, count, timeoutMs));
    }

    /** A close-on-exec pipe {read, write}; the read end is non-blocking, the write end if asked. */
    public static int[] pipe(boolean nonBlockingWrite) throws PosixException {
        int[] out = new int[2];
        Natives.check("pipe2", Natives.pipe0(out, nonBlockingWrite));
        return out;
    }

    public static int write(int fd, byte[] buf, int len) throws PosixException {
        return Natives.check("write", Natives.write0(fd, buf, len));
    }

    public static int read(int fd, byte[] buf, int len) throws PosixException {
        return Natives.check("read", Natives.read0(fd, buf, len));
    }

    /** A close-on-exec memfd holding data, sealed against writes, growth, shrinking and new seals. */
    public static int sealedMemfd(String name, byte[] data) throws PosixException {
        return Natives.check("memfd_create", Natives.sealedMemfd0(name.getBytes(java.nio.charset.StandardCharsets.UTF_8), data,
                data.length));
    }

    /** The size of fd; throws (EPERM) unless fd carries all four seals, so its bytes cannot change. */
    public static long sealedSize(int fd) throws PosixException {
        return Natives.check("fcntl(F_GET_SEALS)", Natives.sealedSize0(fd));
    }

    /** Reads buf.length bytes from offset 0 of fd; the count read (less only at end of file). */
    public static int preadAll(int fd, byte[] buf) throws PosixException {
        return Natives.check("pread", Natives.preadAll0(fd, buf, buf.length));
    }
}
