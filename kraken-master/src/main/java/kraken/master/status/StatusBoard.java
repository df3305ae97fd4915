package kraken.master.status;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the status thread and the supervisor thread meet, without either ever waiting for the
 * other. The status thread asks for a snapshot ({@link #request}), which posts one wake-up to
 * the supervisor (requests coalesce while one is pending); the supervisor, between two polls,
 * builds a snapshot and {@link #publish}es it, which wakes the status thread. A status client,
 * however slow, touches only the status thread.
 */
public final class StatusBoard {
    private final Runnable wakeSupervisor;
    private final AtomicBoolean requested = new AtomicBoolean();
    private volatile StatusSnapshot latest;
    private volatile Runnable onPublish = () -> { };

    /** @param wakeSupervisor posts a snapshot request to the supervisor's event queue; never blocks */
    public StatusBoard(Runnable wakeSupervisor) {
        this.wakeSupervisor = wakeSupervisor;
    }

    /** From the status thread: a fresh snapshot is wanted. */
    void request() {
        if (requested.compareAndSet(false, true)) {
            wakeSupervisor.run();
        }
    }

    /** From the supervisor: whether a snapshot was asked for since the last one; clears the request. */
    public boolean takeRequest() {
        return requested.getAndSet(false);
    }

    /** From the supervisor. */
    public void publish(StatusSnapshot s) {
        latest = s;
        onPublish.run();
    }

    /** The newest snapshot, or null before the first. */
    StatusSnapshot latest() {
        return latest;
    }

    void onPublish(Runnable r) {
        onPublish = r;
    }
}
