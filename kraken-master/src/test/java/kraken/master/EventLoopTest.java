package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The master's epoll loop over real pipes. */
@Tag("unit")
class EventLoopTest {
    private static final long MS = 1_000_000L;

    private static Fd[] pipe() throws Exception {
        int[] p = Descriptors.pipe(true);
        return new Fd[] {new Fd(p[0]), new Fd(p[1])};
    }

    private static void poke(Fd w) throws Exception {
        Descriptors.write(w.get(), new byte[] {1}, 1);
    }

    private static void drain(Fd r) {
        byte[] b = new byte[64];
        try {
            while (Descriptors.read(r.get(), b, b.length) > 0) {
                // drain
            }
        } catch (Exception empty) {
            // EAGAIN
        }
    }

    @Test
    void handlersOfOneWakeUpRunInPriorityOrderWhateverOrderTheyFired() throws Exception {
        List<String> order = new ArrayList<>();
        try (EventLoop loop = new EventLoop()) {
            EventLoop.Priority[] ps = {EventLoop.Priority.CONNECTIONS, EventLoop.Priority.EXITS,
                    EventLoop.Priority.MESSAGES, EventLoop.Priority.OUTPUT, EventLoop.Priority.SIGNALS};
            List<Fd[]> pipes = new ArrayList<>();
            for (EventLoop.Priority p : ps) {
                Fd[] fds = pipe();
                pipes.add(fds);
                loop.register(fds[0], p, ev -> {
                    order.add(p.name());
                    drain(fds[0]);
                });
                poke(fds[1]);
            }
            loop.runOnce(System.nanoTime() + 5000 * MS);
            assertEquals(List.of("SIGNALS", "OUTPUT", "MESSAGES", "EXITS", "CONNECTIONS"), order);
            for (Fd[] p : pipes) {
                p[0].close();
                p[1].close();
            }
        }
    }

    @Test
    void anEventOfARegistrationRemovedEarlierInTheSameWakeUpIsDropped() throws Exception {
        List<String> ran = new ArrayList<>();
        try (EventLoop loop = new EventLoop()) {
            Fd[] a = pipe();
            Fd[] b = pipe();
            EventLoop.Registration[] later = new EventLoop.Registration[1];
            loop.register(a[0], EventLoop.Priority.OUTPUT, ev -> {
                ran.add("a");
                drain(a[0]);
                loop.unregister(later[0]);
                b[0].close(); // as reaping a worker closes its other descriptors
            });
            later[0] = loop.register(b[0], EventLoop.Priority.EXITS, ev -> ran.add("b"));
            poke(a[1]);
            poke(b[1]);
            loop.runOnce(System.nanoTime() + 5000 * MS);
            assertEquals(List.of("a"), ran);
            assertFalse(later[0].isRegistered());
            assertEquals(1, loop.registered());
            a[0].close();
            a[1].close();
            b[1].close();
        }
    }

    @Test
    void aPausedDescriptorIsNotReportedUntilResumed() throws Exception {
        int[] calls = {0};
        try (EventLoop loop = new EventLoop()) {
            Fd[] p = pipe();
            EventLoop.Registration r = loop.register(p[0], EventLoop.Priority.CONNECTIONS, ev -> {
                calls[0]++;
                drain(p[0]);
            });
            loop.watch(r, false);
            poke(p[1]);
            long t0 = System.nanoTime();
            loop.runOnce(t0 + 50 * MS);
            assertEquals(0, calls[0]);
            assertTrue(System.nanoTime() - t0 >= 45 * MS, "waited for the deadline");
            loop.watch(r, true);
            loop.runOnce(System.nanoTime() + 5000 * MS);
            assertEquals(1, calls[0]);
            loop.unregister(r);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aDescriptorNumberReusedAfterUnregisterGoesToItsNewHandler() throws Exception {
        List<String> ran = new ArrayList<>();
        try (EventLoop loop = new EventLoop()) {
            Fd[] p = pipe();
            EventLoop.Registration old = loop.register(p[0], EventLoop.Priority.MESSAGES, ev -> ran.add("old"));
            loop.unregister(old);
            loop.unregister(old); // harmless twice
            int number = p[0].get();
            p[0].close();
            p[1].close();
            Fd[] q = pipe();
            assertEquals(number, q[0].get(), "the kernel reuses the lowest number");
            loop.register(q[0], EventLoop.Priority.MESSAGES, ev -> {
                ran.add("new");
                drain(q[0]);
            });
            poke(q[1]);
            loop.runOnce(System.nanoTime() + 5000 * MS);
            assertEquals(List.of("new"), ran);
            q[0].close();
            q[1].close();
        }
    }

    @Test
    void timersRunWhenDueAndNotWhenCancelled() throws Exception {
        List<String> ran = new ArrayList<>();
        try (EventLoop loop = new EventLoop()) {
            long now = System.nanoTime();
            loop.at(now + 20 * MS, () -> ran.add("second"));
            loop.at(now + 10 * MS, () -> ran.add("first"));
            EventLoop.Timer t = loop.at(now + 15 * MS, () -> ran.add("cancelled"));
            t.cancel();
            long deadline = now + 5000 * MS;
            while (ran.size() < 2 && System.nanoTime() < deadline) {
                loop.runOnce(Long.MAX_VALUE);
            }
            assertEquals(List.of("first", "second"), ran);
        }
    }

    @Test
    void moreReadyDescriptorsThanOneBatchAreAllServedOverTurns() throws Exception {
        int n = 300;
        int[] calls = {0};
        List<Fd[]> pipes = new ArrayList<>();
        try (EventLoop loop = new EventLoop()) {
            for (int i = 0; i < n; i++) {
                Fd[] p = pipe();
                pipes.add(p);
                loop.register(p[0], EventLoop.Priority.MESSAGES, ev -> {
                    calls[0]++;
                    drain(p[0]);
                });
                poke(p[1]);
            }
            assertEquals(n, loop.registered());
            long deadline = System.nanoTime() + 5000 * MS;
            while (calls[0] < n && System.nanoTime() < deadline) {
                loop.runOnce(System.nanoTime() + 100 * MS);
            }
            assertEquals(n, calls[0]);
        } finally {
            for (Fd[] p : pipes) {
                p[0].close();
                p[1].close();
            }
        }
    }
}
