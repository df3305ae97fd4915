package kraken.master;

import java.util.Arrays;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;

/** The descriptors the supervisor waits on in one poll(2), each with what it stands for. */
final class PollSet {
    /** In the order the supervisor handles them after a poll. */
    enum Kind { WAKE, STDERR, LINK, EXIT, PROXY, LISTENER }

    private static final short IN = (short) Posix.Constant.POLLIN.value;
    private static final int ANY = Posix.Constant.POLLIN.value | Posix.Constant.POLLHUP.value
            | Posix.Constant.POLLERR.value | Posix.Constant.POLLNVAL.value;

    private int[] fds = new int[64];
    private short[] events = new short[64];
    private short[] revents = new short[64];
    private Kind[] kinds = new Kind[64];
    private Worker[] workers = new Worker[64];
    private Fd[] owners = new Fd[64];
    private int size;

    void clear() {
        Arrays.fill(workers, 0, size, null);
        Arrays.fill(owners, 0, size, null);
        size = 0;
    }

    void add(Fd fd, Kind kind, Worker w) {
        if (size == fds.length) {
            grow();
        }
        fds[size] = fd.get();
        events[size] = IN;
        revents[size] = 0;
        kinds[size] = kind;
        workers[size] = w;
        owners[size] = fd;
        size++;
    }

    private void grow() {
        int n = fds.length * 2;
        fds = Arrays.copyOf(fds, n);
        events = Arrays.copyOf(events, n);
        revents = Arrays.copyOf(revents, n);
        kinds = Arrays.copyOf(kinds, n);
        workers = Arrays.copyOf(workers, n);
        owners = Arrays.copyOf(owners, n);
    }

    /** Waits up to timeoutMs (-1: no limit); returns how many descriptors have events. */
    int poll(int timeoutMs) throws PosixException {
        return Posix.poll(fds, events, revents, size, timeoutMs);
    }

    int size() {
        return size;
    }

    Kind kind(int i) {
        return kinds[i];
    }

    /** Whether entry i has something to read, or was hung up, and its descriptor is still open. */
    boolean fired(int i) {
        return (revents[i] & ANY) != 0 && owners[i].isOpen();
    }

    Worker worker(int i) {
        return workers[i];
    }

    Fd fd(int i) {
        return owners[i];
    }
}
