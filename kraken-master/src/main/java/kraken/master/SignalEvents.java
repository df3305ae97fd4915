package kraken.master;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns signals into events for the supervisor. The JVM runs each signal handler on a new thread,
 * so a handler only queues the event and writes a byte to the wake pipe the supervisor polls: it
 * never touches the pool itself.
 */
final class SignalEvents {
    /** SNAPSHOT: not a signal; the status server asks for a snapshot of the pool. */
    enum Event { STOP, RESTART, STATUS, SNAPSHOT }

    private final ConcurrentLinkedQueue<Event> queue = new ConcurrentLinkedQueue<>();
    private final Fd wakeRead;
    private final Fd wakeWrite;
    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    SignalEvents() throws PosixException {
        int[] p = Descriptors.pipe(true);
        wakeRead = new Fd(p[0]);
        wakeWrite = new Fd(p[1]);
    }

    void install() {
        // nohup (or a parent) may have left HUP ignored, and the JVM installs no handler for a
        // signal that is ignored at the time: then a reload would never reach the master. HUP,
        // TERM and USR1 are this daemon's controls (SIGNALS.md), so their inherited ignore is
        // undone. INT keeps it: a shell ignores INT for its background jobs on purpose.
        for (Posix.Constant sig : new Posix.Constant[] {Posix.Constant.SIGHUP, Posix.Constant.SIGTERM,
                Posix.Constant.SIGUSR1}) {
            try {
                if (Processes.unignoreSignal(sig.value)) {
                    MasterLog.info(sig.name() + " was ignored when kraken started (nohup?); the master handles it");
                }
            } catch (PosixException e) {
                MasterLog.info(e.getMessage());
            }
        }
        handle("TERM", Event.STOP);
        handle("INT", Event.STOP);
        handle("HUP", Event.RESTART);
        handle("USR1", Event.STATUS);
    }

    private void handle(String name, Event e) {
        Signal s = new Signal(name);
        previous.add(Signal.handle(s, sig -> post(e)));
        installed.add(s);
    }

    void post(Event e) {
        queue.add(e);
        try {
            Descriptors.write(wakeWrite.get(), new byte[] {1}, 1);
        } catch (PosixException full) {
            // The pipe is full: the supervisor is already due to wake and drain the queue.
        }
    }

    Fd wakeFd() {
        return wakeRead;
    }

    /** Empties the wake pipe and returns the next queued event, or null. */
    Event next() {
        byte[] b = new byte[64];
        try {
            while (Descriptors.read(wakeRead.get(), b, b.length) > 0) {
                // drain
            }
        } catch (PosixException empty) {
            // EAGAIN: drained.
        }
        return queue.poll();
    }

    /** Puts back the handlers that were there before kraken.loop(). */
    void uninstall() {
        for (int i = 0; i < installed.size(); i++) {
            Signal.handle(installed.get(i), previous.get(i));
        }
        wakeRead.close();
        wakeWrite.close();
    }
}
