package kraken.master;

/**
 * Workers in one state, oldest first: an intrusive doubly linked list (a worker is in at most
 * one queue), so that adding, removing and finding the oldest or the newest cost the same with a
 * thousand workers as with ten. Each worker records when it joined ({@link Worker#since}), so
 * the head is always the first deadline of the queue.
 */
final class WorkerQueue {
    final String name;
    private Worker head;
    private Worker tail;
    private int size;

    WorkerQueue(String name) {
        this.name = name;
    }

    /** Adds w as the newest, leaving whatever queue it was in. */
    void addLast(Worker w, long now) {
        if (w.queue != null) {
            w.queue.remove(w);
        }
        w.queue = this;
        w.since = now;
        w.prev = tail;
        w.next = null;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        size++;
    }

    /** Removes w if it is in this queue. */
    void remove(Worker w) {
        if (w.queue != this) {
            return;
        }
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
        w.queue = null;
        size--;
    }

    Worker oldest() {
        return head;
    }

    Worker newest() {
        return tail;
    }

    /** The worker after w, towards the newest. */
    Worker after(Worker w) {
        return w.next;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
