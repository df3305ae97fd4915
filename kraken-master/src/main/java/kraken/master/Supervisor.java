package kraken.master;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kraken.lua.Settings;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.protocol.Protocol;

/**
 * The master's one thread of control. It owns the pool: every change to it happens here, in
 * answer to what poll(2) reports on the wake pipe (signals), the workers' links, their pidfds
 * (exits), their stderr pipes and the listening sockets, or to a deadline passing. Listening
 * sockets are polled only while a worker is ready, so that without one, connections wait in the
 * kernel's backlog.
 */
final class Supervisor {
    private static final long MS = 1_000_000L;

    private final LaunchPlan plan;
    private final Listeners listeners;
    private final WorkerLauncher launcher;
    private final SignalEvents signals;
    private final SpawnPolicy policy;
    private final SourceLimits sources;
    /** kraken.user = {from, to}; null without a range. */
    private final UidPool uids;
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();
    private final ArrayDeque<Worker> ready = new ArrayDeque<>();
    private final PollSet pollSet = new PollSet();
    private Settings settings;
    private int generation;
    private boolean stopping;
    private long graceDeadline = Long.MAX_VALUE;
    private boolean anyReady;
    private String startupFailure;
    private long served;

    Supervisor(Settings settings, LaunchPlan plan, Listeners listeners, WorkerLauncher launcher, SignalEvents signals,
               UidPool uids) {
        this.uids = uids;
        this.settings = settings;
        this.plan = plan;
        this.listeners = listeners;
        this.launcher = launcher;
        this.signals = signals;
        this.policy = new SpawnPolicy(settings);
        this.sources = new SourceLimits(settings);
    }

    /** Serves until a graceful stop (returns null) or until no worker can start (returns why). */
    String run() throws IOException {
        while (!(stopping && workers.isEmpty())) {
            long now = System.nanoTime();
            if (uids != null) {
                Orphans.reap(workers);
            }
            maintainSpareWorkers(now);
            pollOnce(now);
            now = System.nanoTime();
            killOverdueWorkers(now);
            if (startupFailure != null && !stopping) {
                beginStop(now, false);
            }
        }
        listeners.close();
        return startupFailure;
    }

    private void pollOnce(long now) throws IOException {
        pollSet.clear();
        pollSet.add(signals.wakeFd(), PollSet.Kind.WAKE, null);
        for (Worker w : workers.values()) {
            if (w.relay.wantsPoll(now)) {
                pollSet.add(w.stderr, PollSet.Kind.STDERR, w);
            }
            if (w.link.isOpen()) {
                pollSet.add(w.link, PollSet.Kind.LINK, w);
            } else {
                // A dying worker's link ends first, so its exit is only watched from then on:
                // one descriptor less per worker in every poll.
                pollSet.add(w.pidfd, PollSet.Kind.EXIT, w);
            }
        }
        if (!stopping && !ready.isEmpty()) {
            for (Fd l : listeners.sockets()) {
                pollSet.add(l, PollSet.Kind.LISTENER, null);
            }
        }
        if (pollSet.poll(timeoutMs(now)) == 0) {
            return;
        }
        // Output first, so that a worker's last words are read before its exit is handled.
        for (PollSet.Kind kind : PollSet.Kind.values()) {
            for (int i = 0; i < pollSet.size(); i++) {
                if (pollSet.kind(i) != kind || !pollSet.fired(i)) {
                    continue;
                }
                Worker w = pollSet.worker(i);
                switch (kind) {
                    case WAKE -> handleSignals();
                    case STDERR -> w.relay.drain(System.nanoTime());
                    case LINK -> readLink(w);
                    case EXIT -> reapWorker(w);
                    case LISTENER -> dispatch(pollSet.fd(i));
                }
            }
        }
    }

    private int timeoutMs(long now) {
        long next = Long.MAX_VALUE;
        if (wantsWorker()) {
            next = Math.min(next, policy.nextAttemptAt(now));
        }
        if (uids != null) {
            next = Math.min(next, uids.nextCheckAt());
        }
        long limit = (long) (settings.limitTime * 1000) * MS;
        for (Worker w : workers.values()) {
            next = Math.min(next, w.relay.resumeAt(now));
            if (w.isBusy()) {
                next = Math.min(next, w.connectionStart + limit);
            } else if (w.isPreparing() && w.killedBecause == null) {
                next = Math.min(next, w.preparingSince + limit);
            }
        }
        next = Math.min(next, graceDeadline);
        if (next == Long.MAX_VALUE) {
            return -1;
        }
        return (int) Math.max(0, Math.min(60_000, (next - now + MS - 1) / MS));
    }

    // ---- the pool ----

    private int spareCount() {
        int n = 0;
        for (Worker w : workers.values()) {
            if ((w.state == Worker.State.STARTING || w.state == Worker.State.READY) && !w.retiring
                    && w.generation == generation) {
                n++;
            }
        }
        return n;
    }

    private boolean wantsWorker() {
        return !stopping && spareCount() < settings.workersSpare && workers.size() < settings.workersMax
                && (uids == null || !uids.full());
    }

    private void maintainSpareWorkers(long now) {
        while (wantsWorker() && policy.mayAttempt(now) && startupFailure == null) {
            if (!spawnWorker(now)) {
                return;
            }
        }
    }

    private boolean spawnWorker(long now) {
        int uid = uids == null ? -1 : uids.take(now);
        if (uids != null && uid == -1) {
            return false; // every free uid still has processes dying: checked again soon
        }
        try {
            Worker w = launcher.spawn(settings, plan, generation, uid);
            workers.put(w.pid, w);
            policy.onSpawned();
            MasterLog.info("worker " + w.pid + " started");
            return true;
        } catch (PosixException e) {
            if (uid != -1) {
                uids.giveBack(uid);
            }
            int attempt = policy.refusalsSoFar() + 1;
            long waitMs = policy.onRefused(now);
            if (waitMs >= 0) {
                MasterLog.info("spawn refused by the OS (attempt " + attempt + " of " + settings.mmTries + "): "
                        + e.reason() + "; retrying in " + waitMs + " ms");
            } else {
                MasterLog.info("spawn refused by the OS (attempt " + attempt + " of " + settings.mmTries + "): "
                        + e.reason() + "; spawn abandoned until a worker is next needed");
                if (!anyReady && workers.isEmpty()) {
                    startupFailure = "no worker can start: " + e.getMessage();
                }
            }
            return false;
        }
    }

    private void onReady(Worker w, long now) {
        if (w.state == Worker.State.STARTING) {
            w.everReady = true;
            anyReady = true;
            w.relay.onReady();
            policy.onReady();
            MasterLog.info("worker " + w.pid + " ready in " + (now - w.spawnedAt) / MS + " ms, cpu "
                    + ProcStat.cpuMillis(w.pid) + " ms");
        }
        if (stopping || w.retiring || w.generation != generation) {
            stopWorker(w);
            return;
        }
        w.state = Worker.State.READY;
        ready.addLast(w);
    }

    /** Tells a worker to stop: idle ones by closing their link, starting ones by SIGKILL. */
    private void stopWorker(Worker w) {
        ready.remove(w);
        if (w.state == Worker.State.STARTING) {
            kill(w, null);
        }
        w.state = Worker.State.STOPPING;
        w.link.close();
    }

    private void kill(Worker w, String because) {
        if (because != null) {
            w.killedBecause = because;
        }
        try {
            Posix.kill(w.pid, Posix.Constant.SIGKILL.value);
        } catch (PosixException e) {
            // Already gone: its exit is on its way through the pidfd.
        }
    }

    private void killOverdueWorkers(long now) {
        long limit = (long) (settings.limitTime * 1000) * MS;
        for (Worker w : workers.values()) {
            // A script that never reaches kraken.loop() in a worker (a loop only workers run, a
            // wait on something only the master could do) must not hold a spare place forever.
            if (w.isPreparing() && w.killedBecause == null && now - w.preparingSince >= limit) {
                MasterLog.info("worker " + w.pid + " was not ready within kraken.limits.time ("
                        + fmt(settings.limitTime) + " s): killing it");
                kill(w, "not ready within kraken.limits.time");
                w.bootError = "not ready within kraken.limits.time (" + fmt(settings.limitTime) + " s)";
                continue;
            }
            if (w.isBusy() && w.killedBecause == null) {
                if (now - w.connectionStart >= limit) {
                    MasterLog.info("worker " + w.pid + " serving " + w.peer + " overran kraken.limits.time ("
                            + fmt(settings.limitTime) + " s): killing it");
                    kill(w, "killed after kraken.limits.time (" + fmt(settings.limitTime) + " s)");
                } else if (now >= graceDeadline) {
                    kill(w, "killed at the end of the grace period");
                }
            }
        }
        if (stopping && now >= graceDeadline) {
            for (Worker w : workers.values()) {
                if (w.state != Worker.State.BUSY && w.killedBecause == null) {
                    kill(w, "killed at the end of the grace period");
                }
            }
        }
    }

    // ---- events from workers ----

    private void readLink(Worker w) {
        Protocol.ToMaster msg;
        try {
            msg = Protocol.receiveFromWorker(w.link);
        } catch (IOException e) {
            MasterLog.info("worker " + w.pid + ": " + e.getMessage() + "; stopping it");
            kill(w, "killed for a protocol error");
            w.link.close();
            return;
        }
        long now = System.nanoTime();
        if (msg == null) {
            w.link.close(); // end of stream: the exit follows through the pidfd
        } else if (msg instanceof Protocol.Ready) {
            onReady(w, now);
        } else if (msg instanceof Protocol.Done d) {
            logConnection(w, now, d.outcome());
            w.state = Worker.State.FINISHING;
            w.preparingSince = now;
        } else if (msg instanceof Protocol.Failed f) {
            w.bootError = f.error();
        }
    }

    private void reapWorker(Worker w) {
        Posix.Exit exit;
        try {
            exit = w.exit != null ? w.exit : Posix.waitpid(w.pid, true);
        } catch (PosixException e) {
            exit = new Posix.Exit(w.pid, 0);
            MasterLog.info("worker " + w.pid + ": " + e.getMessage());
        }
        if (exit == null) {
            return; // the pidfd fired early; poll again
        }
        w.relay.finish(System.nanoTime());
        workers.remove(w.pid);
        if (w.uid != -1) {
            uids.release(w.uid, System.nanoTime());
        }
        ready.remove(w);
        w.closeDescriptors();
        long now = System.nanoTime();
        if (w.state == Worker.State.BUSY) {
            logConnection(w, now, w.killedBecause != null ? w.killedBecause : "worker died: " + exit);
        }
        MasterLog.info("worker " + w.pid + " exited: " + exit);
        boolean notReadyInTime = w.bootError != null && w.killedBecause != null
                && w.killedBecause.startsWith("not ready");
        boolean diedBooting = (w.state == Worker.State.STARTING && w.killedBecause == null) || notReadyInTime;
        if (diedBooting || (exit.exited() && exit.exitCode() == Protocol.EXIT_BOOT_FAILED)) {
            onBootFailure(w, exit, now);
        }
    }

    private void onBootFailure(Worker w, Posix.Exit exit, long now) {
        String why = w.bootError != null ? w.bootError
                : !w.relay.bootOutput().isEmpty() ? w.relay.bootOutput() : exit.toString();
        if (!anyReady) {
            startupFailure = "no worker can start: " + why;
            return;
        }
        long backoff = policy.onBootFailure(now);
        MasterLog.info("worker " + w.pid + " failed before it was ready: " + why + "; next start in " + backoff
                + " ms");
    }

    // ---- connections ----

    /** Accepts while a worker is ready and hands each connection over; the master's copy is always closed. */
    private void dispatch(Fd listener) {
        while (!ready.isEmpty()) {
            // The worker next in line must not be stopped (SIGSTOP from a process of its user),
            // or it would hold the connection until kraken.limits.time. Checked before accept,
            // so that without another ready worker the client waits in the backlog. With a uid
            // range no other process can stop a worker, and the check costs tens of us.
            Worker next = ready.peekLast();
            if (uids == null && ProcStat.isStopped(next.pid)) {
                MasterLog.info("worker " + next.pid + " is stopped (SIGSTOP from a process of its user?): killing it");
                kill(next, "stopped while ready");
                stopWorker(next);
                continue;
            }
            SocketAddress peer = new SocketAddress();
            Fd conn;
            try {
                conn = new Fd(Posix.accept(listener.get(), peer));
            } catch (PosixException e) {
                if (!e.isWouldBlock()) {
                    MasterLog.info("accept failed: " + e.reason());
                }
                return;
            }
            try {
                SourceLimits.Slot slot = sources.admit(peer, conn);
                if (slot != null) {
                    handOver(conn, peer, slot);
                }
            } finally {
                conn.close();
            }
        }
    }

    private void handOver(Fd conn, SocketAddress peer, SourceLimits.Slot slot) {
        Worker w;
        while ((w = ready.pollLast()) != null) {
            try {
                Protocol.sendConnection(w.link, peer.host(), peer.port(), conn);
                w.state = Worker.State.BUSY;
                w.peer = peer.toString();
                w.slot = slot;
                w.connectionStart = System.nanoTime();
                return;
            } catch (IOException e) {
                MasterLog.info("worker " + w.pid + " could not take a connection: " + e.getMessage());
                stopWorker(w);
            }
        }
        sources.release(slot);
        sources.count(SourceLimits.NO_WORKER);
        MasterLog.info("connection from " + peer + " dropped: no worker could take it");
    }

    /** The connection of w ended (DONE, or its worker died while busy): logged, and its slot given back. */
    private void logConnection(Worker w, long now, String outcome) {
        sources.release(w.slot);
        w.slot = null;
        served++;
        long tenths = (now - w.connectionStart) / 100_000L;
        MasterLog.info("connection from " + w.peer + " served by worker " + w.pid + " in " + tenths / 10 + "."
                + tenths % 10 + " ms: " + outcome);
    }

    // ---- signals ----

    private void handleSignals() {
        SignalEvents.Event e;
        while ((e = signals.next()) != null) {
            long now = System.nanoTime();
            switch (e) {
                case STOP -> beginStop(now, true);
                case RESTART -> restartWorkers();
                case STATUS -> reportStatus();
            }
        }
    }

    private void beginStop(long now, boolean graceful) {
        if (stopping) {
            MasterLog.info("second stop request: killing busy workers now");
            graceDeadline = now;
            return;
        }
        stopping = true;
        listeners.close();
        graceDeadline = graceful ? now + (long) (settings.grace * 1000) * MS : now;
        if (graceful) {
            MasterLog.info("stopping: listeners closed, waiting up to " + fmt(settings.grace)
                    + " s for busy workers");
        }
        for (Worker w : new ArrayList<>(workers.values())) {
            if (w.state == Worker.State.BUSY || w.state == Worker.State.FINISHING) {
                w.retiring = true;
            } else if (w.state != Worker.State.STOPPING) {
                stopWorker(w);
            }
        }
    }

    private void restartWorkers() {
        try {
            Settings fresh = plan.reloadSettings().call();
            settings = ReloadableKeys.apply(settings, fresh);
            policy.update(settings);
            sources.update(settings);
            MasterLog.info("configuration reloaded: " + settings.isolation + " isolation, workers spare "
                    + settings.workersSpare + " max " + settings.workersMax + ", limits.time "
                    + fmt(settings.limitTime) + " s, mm.tries " + settings.mmTries);
        } catch (Exception ex) {
            MasterLog.info("reload: the configuration was not applied: " + ex.getMessage());
        }
        generation++;
        MasterLog.info("restarting workers (generation " + generation + ")");
        for (Worker w : new ArrayList<>(workers.values())) {
            if (w.state == Worker.State.READY || w.state == Worker.State.STARTING) {
                stopWorker(w);
            } else {
                w.retiring = true;
            }
        }
    }

    private void reportStatus() {
        Map<Worker.State, Integer> counts = new LinkedHashMap<>();
        for (Worker.State s : Worker.State.values()) {
            counts.put(s, 0);
        }
        for (Worker w : workers.values()) {
            counts.merge(w.state, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((s, n) -> parts.add(s.name().toLowerCase() + "=" + n));
        MasterLog.info("status: workers " + String.join(" ", parts) + "; connections served=" + served
                + "; spawn failures refused=" + policy.refusedTotal() + " died-before-ready="
                + policy.bootFailedTotal() + "; refused " + refusals() + (uids == null ? "" : "; " + uids.cost())
                + "; generation " + generation);
    }

    private String refusals() {
        List<String> parts = new ArrayList<>();
        sources.refusals().forEach((reason, n) -> parts.add(reason + "=" + n));
        return String.join(" ", parts);
    }

    /** Connections refused so far, by reason ("per_source", "no_worker"): for the metrics. */
    Map<String, Long> refusalCounts() {
        return sources.refusals();
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
