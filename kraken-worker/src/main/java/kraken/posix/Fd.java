package kraken.posix;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file descriptor with one owner, closed exactly once. The number is swapped out by a
 * compare-and-set, so a second close (or a close racing a garbage-collection cleaner) is
 * a harmless no-op instead of closing a descriptor that was reused meanwhile.
 */
public final class Fd implements AutoCloseable {
    private static final int CLOSED = -1;

    private final AtomicInteger fd;

    public Fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        this.fd = new AtomicInteger(fd);
    }

    /** The descriptor number; -1 once closed. */
    public int get() {
        return fd.get();
    }

    public boolean isOpen() {
        return fd.get() != CLOSED;
    }

    @Override
    public void close() {
        closeOnce();
    }

    /** Closes the descriptor if it is still open; returns whether this call closed it. */
    public boolean closeOnce() {
        int n = fd.getAndSet(CLOSED);
        if (n == CLOSED) {
            return false;
        }
        try {
            Descriptors.close(n);
        } catch (PosixException e) {
            // The descriptor is released even when close reports an error (Linux semantics).
        }
        return true;
    }

    @Override
    public String toString() {
        return "fd " + fd.get();
    }
}
