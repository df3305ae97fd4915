package kraken.master;

import kraken.posix.Fd;
import kraken.posix.master.Processes;

/** The master's record of one worker process. Only the supervisor thread touches it. */
final class Worker {
    enum State {
        /** Spawned, not yet READY. */
        STARTING,
        /** Waiting for a connection. */
        READY,
        /** Serving a connection. */
        BUSY,
        /** Reported DONE; in "state" isolation it will be READY again, else it is exiting. */
        FINISHING,
        /** Told to stop (link closed or killed); waiting to be reaped. */
        STOPPING;

        /**
         * The transitions {@link Lifecycle} makes: STARTING -> READY -> BUSY -> FINISHING, then
         * READY again in "state" isolation; any state but STOPPING -> STOPPING. A message that
         * asks for another one is a protocol error of the worker's.
         */
        boolean mayBecome(State next) {
            return switch (this) {
                case STARTING, FINISHING -> next == READY || next == STOPPING;
                case READY -> next == BUSY || next == STOPPING;
                case BUSY -> next == FINISHING || next == STOPPING;
                case STOPPING -> false;
            };
        }
    }

    final int pid;
    final Fd link;
    final Fd pidfd;
    final Fd stderr;
    final int generation;
    final long spawnedAt;
    /** Relays stderr to the log; bounded whatever the worker writes. */
    final StderrRelay relay;

    State state = State.STARTING;
    boolean everReady;
    /** Finish the current connection, then stop (HUP or a graceful stop). */
    boolean retiring;
    String bootError;
    String peer;
    /** The per-source slot its connection holds, released when the connection ends. */
    SourceLimits.Slot slot;
    long connectionStart;
    /** When the worker last began preparing a state (its spawn, or its last DONE in "state"). */
    long preparingSince;
    /** Its control group; null where the master has none (see ControlGroups). */
    kraken.master.cgroup.WorkerGroup group;
    /** Its uid from kraken.user = {from, to}; -1 without a range. */
    int uid = -1;
    /** Its exit, when the orphan reaper collected it before its pidfd was handled. */
    Processes.Exit exit;
    /** Why the master killed it, when it did. */
    String killedBecause;
    /** Connections it reported DONE for. */
    int served;
    /** Connections after which the master retires it ("state" isolation: with a jitter). */
    int life = 1;

    // The pool's bookkeeping (Pool, WorkerQueue): the queue it is in, since when, and its neighbours.
    WorkerQueue queue;
    long since;
    Worker prev;
    Worker next;

    // Its descriptors in the master's event loop (null when not watched).
    EventLoop.Registration linkWatch;
    EventLoop.Registration stderrWatch;
    /** Left out of the loop until its stderr budget refills. */
    boolean stderrPaused;
    EventLoop.Registration exitWatch;

    Worker(int pid, Fd link, Fd pidfd, Fd stderr, int generation, long spawnedAt) {
        this.pid = pid;
        this.link = link;
        this.pidfd = pidfd;
        this.stderr = stderr;
        this.generation = generation;
        this.spawnedAt = spawnedAt;
        this.preparingSince = spawnedAt;
        this.relay = new StderrRelay(pid, stderr, spawnedAt);
    }

    boolean isBusy() {
        return state == State.BUSY;
    }

    /** Starting, or preparing its next state after a connection: it owes the master a READY. */
    boolean isPreparing() {
        return state == State.STARTING || state == State.FINISHING;
    }

    void closeDescriptors() {
        link.close();
        pidfd.close();
        stderr.close();
    }
}
