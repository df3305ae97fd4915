package kraken.posix;

import java.io.IOException;

/**
 * A native call that failed: the message is "call(..) failed: OS text", as the OS said it.
 * Callers ask what kind of failure it was; the errno itself stays inside {@link Posix}.
 */
public final class PosixException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    PosixException(String call, int errno) {
        super(call + "(..) failed: " + Natives.strerror(errno));
        this.call = call;
        this.errno = errno;
    }

    /**
     * A native's raw result: itself when non-negative, else the failure of call with errno -r.
     * For the natives of the master's module (kraken.posix.master), which cannot see this
     * package's constructor; raw results stay inside their native owner and its facades.
     */
    public static int check(String call, int r) throws PosixException {
        if (r < 0) {
            throw new PosixException(call, -r);
        }
        return r;
    }

    /** The name of the call that failed, e.g. {@code "recv"}. */
    public String call() {
        return call;
    }

    /** The OS's own text for the failure, e.g. "Connection reset by peer". */
    public String reason() {
        return Natives.strerror(errno);
    }

    /** A socket timeout (SO_RCVTIMEO/SO_SNDTIMEO) expired, or a non-blocking call would block. */
    public boolean isWouldBlock() {
        return errno == Posix.Constant.EAGAIN.value || errno == Posix.Constant.EWOULDBLOCK.value;
    }

    /** The peer is gone: a reset, a broken pipe, or a socket that is not connected. */
    public boolean isPeerGone() {
        return errno == Posix.Constant.EPIPE.value || errno == Posix.Constant.ECONNRESET.value
                || errno == Posix.Constant.ENOTCONN.value;
    }

    /** Nobody listens at that address (ECONNREFUSED). */
    public boolean isRefused() {
        return errno == Posix.Constant.ECONNREFUSED.value;
    }

    /** There is no such child to wait for. */
    public boolean isNoChild() {
        return errno == Posix.Constant.ECHILD.value;
    }
}
