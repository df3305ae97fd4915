package kraken.master;

import static kraken.master.MasterState.fmt;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import kraken.posix.Fd;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;
import kraken.protocol.Protocol;

/**
 * The one owner of every worker's state. A worker moves STARTING -> READY -> BUSY -> FINISHING
 * (-> READY again in "state" isolation) and from any of these to STOPPING, only through
 * {@link #move}, which keeps the worker's state and its {@link Pool} queue together; a message
 * that asks for a transition {@link Worker.State#mayBecome} does not allow is the worker's
 * protocol error. Here too: its descriptors in the event loop (stderr and link, then its pidfd),
 * the kills (time limit, grace period, protocol errors) and the retirement of idle workers.
 */
final class Lifecycle {
    private static final long MS = 1_000_000L;

    private final MasterState state;
    private final Pool pool;
    private final EventLoop loop;
    private final Launcher launcher;
    private final SourceLimits sources;
    private final Listeners listeners;
    /** kraken.user = {from, to}; null without a range. */
    private final UidPool uids;
    private Spawner spawner;

    Lifecycle(MasterState state, Pool pool, EventLoop loop, Launcher launcher, SourceLimits sources,
              Listeners listeners, UidPool uids) {
        this.state = state;
        this.pool = pool;
        this.loop = loop;
        this.launcher = launcher;
        this.sources = sources;
        this.listeners = listeners;
        this.uids = uids;
    }

    /** Who hears of READY and of a failure before it (the spawn policy's back-off). */
    void spawnedBy(Spawner s) {
        this.spawner = s;
    }

    private void move(Worker w, Worker.State next) {
        if (!w.state.mayBecome(next)) {
            throw new IllegalStateException("worker " + w.pid + ": " + w.state + " -> " + next);
        }
        w.state = next;
    }

    // ---- start ----

    /** A worker just spawned: it joins the pool, its stderr and link are watched. */
    void started(Worker w, long now) {
        pool.started(w, now);
        MasterLog.info("worker " + w.pid + " started");
        try {
            w.stderrWatch = loop.register(w.stderr, EventLoop.Priority.OUTPUT, events -> relayStderr(w));
            w.linkWatch = loop.register(w.link, EventLoop.Priority.MESSAGES, events -> readLink(w));
        } catch (PosixException e) {
            MasterLog.info("worker " + w.pid + ": cannot watch it: " + e.reason() + "; killing it");
            stop(w);
        }
    }

    // ---- messages ----

    void readLink(Worker w) {
        Protocol.ToMaster msg;
        try {
            msg = Protocol.receiveFromWorker(w.link);
        } catch (IOException e) {
            if (e instanceof PosixException p && p.isPeerGone()) {
                // It died with our HELLO unread (a JVM that could not start its threads under
                // kraken.limits.processes): its end, not a protocol error, so that a failure to
                // start throttles spawning.
                closeLink(w);
                return;
            }
            protocolError(w, e.getMessage());
            return;
        }
        long now = System.nanoTime();
        if (msg == null) {
            closeLink(w); // end of stream: the exit follows through the pidfd
        } else if (msg instanceof Protocol.Ready) {
            if (!w.state.mayBecome(Worker.State.READY)) {
                protocolError(w, "READY while " + w.state.name().toLowerCase());
                return;
            }
            onReady(w, now);
        } else if (msg instanceof Protocol.Done d) {
            if (w.state != Worker.State.BUSY) {
                protocolError(w, "DONE while " + w.state.name().toLowerCase());
                return;
            }
            onDone(w, now, d.outcome());
        } else if (msg instanceof Protocol.Failed f) {
            w.bootError = f.error();
        }
    }

    private void protocolError(Worker w, String what) {
        if (w.killedBecause == null) {
            MasterLog.info("worker " + w.pid + ": " + what + "; stopping it");
        }
        kill(w, "killed for a protocol error");
        closeLink(w);
    }

    private void onReady(Worker w, long now) {
        if (w.state == Worker.State.STARTING) {
            w.everReady = true;
            state.anyReady = true;
            w.relay.onReady();
            spawner.onReady();
            MasterLog.info("worker " + w.pid + " ready in " + (now - w.spawnedAt) / MS + " ms, cpu "
                    + ProcStat.cpuMillis(w.pid) + " ms");
        }
        if (state.stopping || w.retiring || w.generation != state.generation) {
            stop(w);
            return;
        }
        move(w, Worker.State.READY);
        if (w.group != null) {
            state.groups.connectionBegins(w.group);
        }
        pool.becameReady(w, now);
        state.notifier.workerReady("serving " + listeners.addresses() + ", " + state.settings.isolation + " isolation");
    }

    private void onDone(Worker w, long now, String outcome) {
        connectionEnded(w, now, outcome, GroupAccounting.connectionEnded(state.groups, w, state.status.metrics));
        move(w, Worker.State.FINISHING);
        w.preparingSince = now;
        boolean lifeOver = pool.finished(w, now);
        boolean between = w.queue == pool.preparing; // "state": preparing its next state
        if (lifeOver || (between && (w.retiring || w.generation != state.generation || state.stopping))) {
            // Its life is over, or a HUP or a stop is under way: it would only build a state
            // nobody uses. Stopped now, its replacement starts at once.
            stop(w);
        }
    }

    // ---- connections ----

    /**
     * Hands conn to the most recently ready worker (another if that one cannot take it); false
     * when no worker took it. The caller closes its own copy either way.
     */
    boolean handOver(Fd conn, ClientAddress peer, SourceLimits.Slot slot) {
        Worker w;
        while ((w = pool.takeReady()) != null) {
            try {
                Protocol.sendConnection(w.link, peer.host(), peer.port(), peer.path(), conn);
                move(w, Worker.State.BUSY);
                w.peer = peer.toString();
                w.slot = slot;
                w.connectionStart = System.nanoTime();
                pool.becameBusy(w, w.connectionStart);
                return true;
            } catch (IOException e) {
                MasterLog.info("worker " + w.pid + " could not take a connection: " + e.getMessage());
                stop(w);
            }
        }
        return false;
    }

    /** The connection of w ended (DONE, or its worker died while busy): logged, and its slot given back. */
    private void connectionEnded(Worker w, long now, String outcome, String caps) {
        sources.release(w.slot);
        w.slot = null;
        state.served++;
        state.status.metrics.connectionEnded(MasterStatus.outcomeOf(outcome, w.killedBecause), now - w.connectionStart);
        if (!state.settings.logConnections && "ok".equals(outcome) && caps.isEmpty()) {
            return; // kraken.log.connections = false: errors and kills are still logged
        }
        long tenths = (now - w.connectionStart) / 100_000L;
        MasterLog.info("connection from " + w.peer + " served by worker " + w.pid + " in " + tenths / 10 + "."
                + tenths % 10 + " ms: " + outcome + caps);
    }

    // ---- stopping ----

    /** Tells a worker to stop: idle ones by closing their link, starting ones by SIGKILL. */
    void stop(Worker w) {
        pool.leaveQueue(w);
        if (w.state == Worker.State.STARTING) {
            kill(w, null);
        }
        move(w, Worker.State.STOPPING);
        closeLink(w);
    }

    void kill(Worker w, String because) {
        // The first reason is the true one: a link that then fails must not rename the kill.
        if (because != null && w.killedBecause == null) {
            w.killedBecause = because;
        }
        try {
            launcher.kill(w);
        } catch (PosixException e) {
            // Already gone: its exit is on its way through the pidfd.
        }
    }

    /**
     * A stop (SIGTERM, SIGINT, or no worker can start): workers with a connection finish it,
     * the others stop now.
     */
    void stopAll() {
        for (Worker w : new ArrayList<>(pool.all.values())) {
            if (w.state == Worker.State.BUSY || (w.state == Worker.State.FINISHING && w.queue != pool.preparing)) {
                w.retiring = true;
            } else if (w.state != Worker.State.STOPPING) {
                stop(w);
            }
        }
    }

    /** A HUP: workers with nothing to finish stop now, the others when they are done. */
    void restartAll() {
        for (Worker w : new ArrayList<>(pool.all.values())) {
            if (w.state == Worker.State.READY || w.state == Worker.State.STARTING
                    || (w.state == Worker.State.FINISHING && w.queue == pool.preparing)) {
                // A "state" worker between two connections has nothing to finish either.
                stop(w);
            } else {
                w.retiring = true;
            }
        }
    }

    /**
     * The link ends (EOF, an error, or the master's order to stop): from now on the worker's exit
     * is watched, one descriptor per worker at a time.
     */
    private void closeLink(Worker w) {
        if (!w.link.isOpen()) {
            return;
        }
        loop.unregister(w.linkWatch);
        w.linkWatch = null;
        w.link.close();
        try {
            w.exitWatch = loop.register(w.pidfd, EventLoop.Priority.EXITS, events -> reap(w));
        } catch (PosixException e) {
            MasterLog.info("worker " + w.pid + ": cannot watch its exit: " + e.reason() + "; killing it");
            kill(w, null);
        }
    }

    void reap(Worker w) {
        Processes.Exit exit;
        try {
            exit = w.exit != null ? w.exit : launcher.reap(w);
        } catch (PosixException e) {
            exit = new Processes.Exit(w.pid, 0);
            MasterLog.info("worker " + w.pid + ": " + e.getMessage());
        }
        if (exit == null) {
            return; // the pidfd fired early; poll again
        }
        loop.unregister(w.exitWatch);
        loop.unregister(w.linkWatch);
        loop.unregister(w.stderrWatch);
        w.relay.finish(System.nanoTime());
        pool.exited(w);
        if (w.uid != -1) {
            uids.release(w.uid, System.nanoTime());
        }
        w.closeDescriptors();
        long now = System.nanoTime();
        WorkerEnd end = WorkerEnd.of(w, exit, state.settings);
        if (w.state == Worker.State.BUSY) {
            connectionEnded(w, now, w.killedBecause != null ? w.killedBecause : "worker died: " + end.description(),
                    GroupAccounting.workerDied(state.groups, w, state.status.metrics));
        }
        if (w.group != null) {
            state.groups.end(w.group, now); // in "process" isolation, what its connection started ends here
        }
        MasterLog.info("worker " + w.pid + " exited: " + end.description());
        if (end.bootFailure()) {
            spawner.onBootFailure(w, exit, now);
        }
    }

    // ---- stderr ----

    /**
     * Relays what the worker's budget allows. A worker over its budget is left out of the loop
     * until the budget refills (a timer), so a flood blocks only that worker, on its full pipe.
     */
    private void relayStderr(Worker w) throws PosixException {
        long now = System.nanoTime();
        w.relay.drain(now);
        EventLoop.Registration r = w.stderrWatch;
        if (!w.stderr.isOpen()) {
            loop.unregister(r);
        } else if (!w.stderrPaused && !w.relay.wantsPoll(now)) {
            w.stderrPaused = true;
            loop.watch(r, false);
            loop.at(w.relay.resumeAt(now), () -> resumeStderr(w, r));
        }
    }

    private void resumeStderr(Worker w, EventLoop.Registration r) {
        w.stderrPaused = false;
        try {
            loop.watch(r, true); // harmless if the worker is gone: r is no longer registered
        } catch (PosixException e) {
            MasterLog.info("worker " + w.pid + ": cannot watch its stderr again: " + e.reason());
        }
    }

    // ---- deadlines ----

    /** The next moment a worker's time limit, idle time or the grace period falls due. */
    long nextDeadline() {
        return Math.min(pool.nextDeadline(state.limitNanos()), state.graceDeadline);
    }

    void killOverdue(long now) {
        long limit = state.limitNanos();
        double seconds = state.settings.limitTime;
        Worker w;
        // A script that never reaches kraken.loop() in a worker (a loop only workers run, a wait on
        // something only the master could do) must not hold a spare place forever. Killed, it
        // leaves its queue: its exit is on its way, and its deadline is not looked at again.
        while ((w = Pool.overdue(pool.preparing, now, limit)) != null
                || (w = Pool.overdue(pool.exiting, now, limit)) != null) {
            pool.leaveQueue(w);
            MasterLog.info("worker " + w.pid + " was not ready within kraken.limits.time ("
                    + fmt(seconds) + " s): killing it");
            kill(w, "not ready within kraken.limits.time");
            w.bootError = "not ready within kraken.limits.time (" + fmt(seconds) + " s)";
        }
        while ((w = Pool.overdue(pool.busy, now, limit)) != null) {
            pool.leaveQueue(w);
            MasterLog.info("worker " + w.pid + " serving " + w.peer + " overran kraken.limits.time ("
                    + fmt(seconds) + " s): killing it");
            kill(w, "killed after kraken.limits.time (" + fmt(seconds) + " s)");
        }
        if (now >= state.graceDeadline && !state.graceKillsDone) {
            state.graceKillsDone = true;
            while ((w = pool.busy.oldest()) != null) {
                pool.leaveQueue(w);
                kill(w, "killed at the end of the grace period");
            }
            if (state.stopping) {
                for (Worker x : pool.all.values()) {
                    if (x.state != Worker.State.BUSY && x.killedBecause == null) {
                        kill(x, "killed at the end of the grace period");
                    }
                }
            }
        }
    }

    /** Idle workers above the spare target leave, the longest idle first. */
    void retireIdle(long now) {
        Worker w;
        while (!state.stopping && (w = pool.idleToRetire(now)) != null) {
            MasterLog.info("worker " + w.pid + " idle for " + fmt(state.settings.workersIdle)
                    + " s with " + pool.ready.size() + " ready (spare target " + state.settings.workersSpare
                    + "): retiring it");
            stop(w);
        }
    }

    /** How many workers are in each state, every state listed. */
    Map<Worker.State, Integer> counts() {
        Map<Worker.State, Integer> counts = new LinkedHashMap<>();
        for (Worker.State s : Worker.State.values()) {
            counts.put(s, 0);
        }
        for (Worker w : pool.all.values()) {
            counts.merge(w.state, 1, Integer::sum);
        }
        return counts;
    }
}
