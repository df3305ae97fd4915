package kraken.worker;

import kraken.posix.ThisProcess;
import kraken.protocol.Protocol;

/**
 * kraken.limits.cpu in "state" isolation, counted per connection (docs/configuration.md): RLIMIT_CPU
 * counts a process's whole life, so it would sum a worker's connections and kill an innocent
 * later one for an earlier one's CPU. This thread instead reads the process's CPU clock (every
 * thread: coroutines run on threads of their own) from the start of each connection, and ends
 * the worker with {@link Protocol#EXIT_CPU_LIMIT} when one connection has used more.
 *
 * <p>No kernel limit is involved, so nothing the script does to its limits (prlimit from a child
 * of the same uid can raise a soft limit up to the hard one) moves it; the script cannot reach
 * this thread. A worker that is stopped (SIGSTOP) uses no CPU; kraken.limits.time covers it.
 */
final class CpuWatch implements Runnable {
    private final long limitNanos;
    private final long limitSeconds;
    private final int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** CPU clock at the start of the current connection; -1 between connections. */
    private long since = -1;

    private CpuWatch(long limitSeconds) {
        this.limitSeconds = limitSeconds;
        this.limitNanos = limitSeconds * 1_000_000_000L;
    }

    static CpuWatch start(long limitSeconds) {
        CpuWatch w = new CpuWatch(limitSeconds);
        Thread t = new Thread(w, "kraken-cpu-watch");
        t.setDaemon(true);
        t.start();
        return w;
    }

    synchronized void connectionStarted() throws java.io.IOException {
        since = ThisProcess.processCpuNanos();
        notifyAll();
    }

    synchronized void connectionEnded() {
        since = -1;
    }

    @Override
    public synchronized void run() {
        try {
            while (true) {
                if (since < 0) {
                    wait();
                    continue;
                }
                long left = limitNanos - (ThisProcess.processCpuNanos() - since);
                if (left <= 0) {
                    WorkerMain.complain("the connection used more than "
                            + "kraken.limits.cpu (" + limitSeconds + " s) of CPU");
                    System.out.flush();
                    Runtime.getRuntime().halt(Protocol.EXIT_CPU_LIMIT);
                }
                // CPU time advances at most `cores` times faster than the wall clock.
                wait(Math.max(10, left / 1_000_000L / cores));
            }
        } catch (InterruptedException | java.io.IOException e) {
            WorkerMain.complain("the CPU watch stopped: " + e);
            Runtime.getRuntime().halt(Protocol.EXIT_CPU_LIMIT);
        }
    }
}
