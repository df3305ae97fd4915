package kraken.master;

import java.io.IOException;
import java.util.Arrays;
import java.util.PriorityQueue;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.master.Epoll;

/**
 * The master's event loop, over one epoll(7) instance. A component registers a descriptor with
 * a handler once, and unregisters it before it closes the descriptor; a wake-up costs the events
 * that fired, never a walk over every descriptor, so a thousand live workers cost the supervisor
 * no more per connection than ten.
 *
 * Handlers of one wake-up run in {@link Priority} order (the order the supervisor relies on: a
 * worker's output before its messages, its messages before its exit, connections last, once every
 * READY has been read). A handler may unregister any registration, its own or another's; an event
 * already collected for a registration that is gone by its turn is dropped. Timers run after the
 * descriptors' handlers. Only the supervisor thread uses the loop.
 */
final class EventLoop implements AutoCloseable {
    /** The order in which the handlers of one wake-up run. */
    enum Priority {
        /** The signal wake pipe. */
        SIGNALS,
        /** Workers' standard error: read before anything else about the worker is handled. */
        OUTPUT,
        /** Worker links (READY, DONE, FAILED, end of stream). */
        MESSAGES,
        /** Worker exits (pidfds). */
        EXITS,
        /** Listening sockets and other sources of new connections: after every READY of this turn. */
        CONNECTIONS
    }

    /** Called on the supervisor thread with the epoll event bits (IN, HUP, ERR) that fired. */
    interface Handler {
        void onEvent(int events) throws IOException;
    }

    static final int IN = Posix.Constant.EPOLLIN.value;
    static final int HUP = Posix.Constant.EPOLLHUP.value;
    static final int ERR = Posix.Constant.EPOLLERR.value;
    private static final int BATCH = 64;

    /** One descriptor watched by the loop. */
    final class Registration {
        final Fd fd;
        final Priority priority;
        final Handler handler;
        private final int slot;
        private final int seq;
        private boolean watching = true;

        private Registration(Fd fd, Priority priority, Handler handler, int slot, int seq) {
            this.fd = fd;
            this.priority = priority;
            this.handler = handler;
            this.slot = slot;
            this.seq = seq;
        }

        private long token() {
            return ((long) seq << 32) | slot;
        }

        boolean isRegistered() {
            return slots[slot] == this;
        }
    }

    /** A deadline; cancel() before it is due and it never runs. */
    final class Timer implements Comparable<Timer> {
        final long at;
        private final Runnable task;
        private final long order;

        private Timer(long at, Runnable task, long order) {
            this.at = at;
            this.task = task;
            this.order = order;
        }

        void cancel() {
            timers.remove(this);
        }

        @Override
        public int compareTo(Timer o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }
    }

    private final Fd epoll;
    private Registration[] slots = new Registration[64];
    private int[] seqs = new int[64];
    private int[] free = new int[64];
    private int freeCount;
    private int used;
    private int live;
    private final long[] data = new long[BATCH];
    private final int[] events = new int[BATCH];
    private final Registration[] fired = new Registration[BATCH];
    private final int[] firedEvents = new int[BATCH];
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerOrder;

    EventLoop() throws PosixException {
        epoll = new Fd(Epoll.epollCreate());
    }

    /** Watches fd for input (and hang-up) from now on, until {@link #unregister}. */
    Registration register(Fd fd, Priority priority, Handler handler) throws PosixException {
        int slot = freeCount > 0 ? free[--freeCount] : used++;
        if (slot == slots.length) {
            slots = Arrays.copyOf(slots, slot * 2);
            seqs = Arrays.copyOf(seqs, slot * 2);
            free = Arrays.copyOf(free, slot * 2);
        }
        Registration r = new Registration(fd, priority, handler, slot, ++seqs[slot]);
        try {
            Epoll.epollAdd(epoll.get(), fd.get(), IN, r.token());
        } catch (PosixException e) {
            free[freeCount++] = slot;
            throw e;
        }
        slots[slot] = r;
        live++;
        return r;
    }

    /**
     * Pauses or resumes watching a registration for input (a listener while no worker is ready),
     * keeping its place. Paused, the kernel still reports a hang-up or an error.
     */
    void watch(Registration r, boolean on) throws PosixException {
        if (!r.isRegistered() || r.watching == on || !r.fd.isOpen()) {
            return;
        }
        Epoll.epollModify(epoll.get(), r.fd.get(), on ? IN : 0, r.token());
        r.watching = on;
    }

    /** Stops watching; call before closing the descriptor. Harmless twice, or with null. */
    void unregister(Registration r) {
        if (r == null || !r.isRegistered()) {
            return;
        }
        if (r.fd.isOpen()) {
            try {
                Epoll.epollDelete(epoll.get(), r.fd.get());
            } catch (PosixException e) {
                // Not watched any more (closed and reopened elsewhere): nothing left to remove.
            }
        }
        slots[r.slot] = null;
        free[freeCount++] = r.slot;
        live--;
    }

    /** Runs task on this thread once System.nanoTime() reaches at (after a wake-up's handlers). */
    Timer at(long at, Runnable task) {
        Timer t = new Timer(at, task, timerOrder++);
        timers.add(t);
        return t;
    }

    /** Descriptors registered now. */
    int registered() {
        return live;
    }

    /**
     * Waits for events until deadline (System.nanoTime(); Long.MAX_VALUE: none, beyond the
     * loop's own timers), runs their handlers in priority order, then every timer that is due.
     */
    void runOnce(long deadline) throws IOException {
        Timer first = timers.peek();
        if (first != null) {
            deadline = Math.min(deadline, first.at);
        }
        int n = Epoll.epollWait(epoll.get(), data, events, BATCH, timeoutMs(deadline, System.nanoTime()));
        int count = 0;
        for (int i = 0; i < n; i++) {
            int slot = (int) data[i];
            int seq = (int) (data[i] >>> 32);
            Registration r = slot >= 0 && slot < slots.length ? slots[slot] : null;
            if (r == null || r.seq != seq) {
                continue;
            }
            // Insertion sort by priority, stable: a batch is at most 64 events.
            int j = count++;
            while (j > 0 && fired[j - 1].priority.compareTo(r.priority) > 0) {
                fired[j] = fired[j - 1];
                firedEvents[j] = firedEvents[j - 1];
                j--;
            }
            fired[j] = r;
            firedEvents[j] = events[i];
        }
        try {
            for (int i = 0; i < count; i++) {
                Registration r = fired[i];
                if (r.isRegistered() && r.fd.isOpen()) {
                    r.handler.onEvent(firedEvents[i]);
                }
            }
        } finally {
            Arrays.fill(fired, 0, count, null);
        }
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && t.at - now <= 0) {
            timers.poll();
            t.task.run();
        }
    }

    static int timeoutMs(long deadline, long now) {
        if (deadline == Long.MAX_VALUE) {
            return -1;
        }
        long ms = (deadline - now + 999_999L) / 1_000_000L;
        return (int) Math.max(0, Math.min(60_000, ms));
    }

    @Override
    public void close() {
        epoll.close();
    }
}
