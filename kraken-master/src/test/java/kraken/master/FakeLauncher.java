package kraken.master;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;
import kraken.settings.Settings;

/**
 * A {@link Launcher} that starts no process: each "worker" is a real link (a SOCK_SEQPACKET pair,
 * the test holding the worker's end), a real stderr pipe and, for its pidfd, a pipe whose write
 * end the test closes to say the worker exited. Its pid is above Linux's pid_max, so no real
 * process can ever be signalled or read through it. kill() records the kill and makes the worker
 * exit as killed by SIGKILL.
 */
final class FakeLauncher implements Launcher {
    /** Above PID_MAX_LIMIT (4194304): never a real process. */
    private static final int FIRST_PID = 5_000_000;

    /** One fake worker process: the worker's side of its descriptors. */
    static final class FakeProcess implements AutoCloseable {
        final Worker worker;
        final Fd link;
        final Fd stderr;
        private final Fd exitWrite;
        Processes.Exit exit;

        FakeProcess(Worker worker, Fd link, Fd stderr, Fd exitWrite) {
            this.worker = worker;
            this.link = link;
            this.stderr = stderr;
            this.exitWrite = exitWrite;
        }

        /** The process ends with this exit status: its pidfd polls readable. */
        void exit(int status) {
            if (exit == null) {
                exit = new Processes.Exit(worker.pid, status << 8);
            }
            exitWrite.close();
            link.close();
            stderr.close();
        }

        @Override
        public void close() {
            link.close();
            stderr.close();
            exitWrite.close();
        }
    }

    final List<FakeProcess> spawned = new ArrayList<>();
    final Map<Integer, FakeProcess> byPid = new HashMap<>();
    final List<Integer> killed = new ArrayList<>();
    /** The next this many spawns are refused as the OS would (EAGAIN). */
    int refuse;
    private int nextPid = FIRST_PID;

    @Override
    public Worker spawn(Settings s, LaunchPlan plan, int generation, int uid) throws PosixException {
        if (refuse > 0) {
            refuse--;
            PosixException.check("posix_spawn", -Posix.Constant.EAGAIN.value);
        }
        int[] link = Descriptors.socketpair(Posix.Constant.SOCK_SEQPACKET.value);
        int[] err = Descriptors.pipe(false);
        int[] exit = Descriptors.pipe(false);
        Worker w = new Worker(nextPid++, new Fd(link[0]), new Fd(exit[0]), new Fd(err[0]), generation, System.nanoTime());
        w.uid = uid;
        FakeProcess p = new FakeProcess(w, new Fd(link[1]), new Fd(err[1]), new Fd(exit[1]));
        spawned.add(p);
        byPid.put(w.pid, p);
        return w;
    }

    @Override
    public void kill(Worker w) {
        killed.add(w.pid);
        FakeProcess p = byPid.get(w.pid);
        if (p.exit == null) {
            p.exit = new Processes.Exit(w.pid, Posix.Constant.SIGKILL.value);
        }
        p.exit(0);
    }

    @Override
    public Processes.Exit reap(Worker w) {
        return byPid.get(w.pid).exit;
    }

    /** Closes whatever the test's side still holds. */
    void closeAll() {
        for (FakeProcess p : spawned) {
            p.close();
            p.worker.closeDescriptors();
        }
    }
}
