package kraken.master;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kraken.lua.module.Registry;
import kraken.posix.master.Processes;
import kraken.settings.ReloadableKeys;
import kraken.settings.Settings;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.protocol.Protocol;
import kraken.proxy.PendingProxyConnections;
import kraken.proxy.ProxyHeader;
import kraken.settings.TrustedSources;

/**
 * The master's one thread of control. It owns the pool: every change to it happens here, in
 * answer to what the event loop reports on the wake pipe (signals), the workers' links, their
 * pidfds (exits), their stderr pipes and the listening sockets, or to a deadline passing. Each
 * descriptor is registered once, with its handler; listening sockets are watched only while a
 * worker is ready, so that without one, connections wait in the kernel's backlog. Who is spare,
 * busy or idle too long is the {@link Pool}'s business; this class acts on it.
 */
final class Supervisor {
    private static final long MS = 1_000_000L;
    /** Counters and snapshots for kraken.status (always counting; snapshots only when asked). */
    private MasterStatus status = new MasterStatus(null);

    private final LaunchPlan plan;
    private final Listeners listeners;
    private final WorkerLauncher launcher;
    private final SignalEvents signals;
    private final SpawnPolicy policy;
    private final Pool pool;
    private final Map<Integer, Worker> workers;
    private final EventLoop loop;
    private final List<EventLoop.Registration> listenerWatches = new ArrayList<>();
    private final SourceLimits sources;
    /** kraken.user = {from, to}; null without a range. */
    private final UidPool uids;
    private Settings settings;
    private int generation;
    private boolean stopping;
    private long graceDeadline = Long.MAX_VALUE;
    private boolean graceKillsDone;
    private boolean anyReady;
    private String startupFailure;
    private long served;
    private SystemdNotifier notifier = SystemdNotifier.none();
    private final TrustedSources proxies;
    private final PendingProxyConnections pendingProxy =
            new PendingProxyConnections(PENDING_PROXY_MAX, MasterLog::info, reason -> status.metrics.refused(reason));
    /** The event-loop registrations of the connections whose PROXY header is being read. */
    private final Map<Fd, EventLoop.Registration> proxyReads = new HashMap<>();
    /** Connections from trusted proxies held at once while their PROXY header is read. */
    static final int PENDING_PROXY_MAX = 128;

    Supervisor(Settings settings, LaunchPlan plan, Listeners listeners, WorkerLauncher launcher, SignalEvents signals,
               UidPool uids) throws IOException {
        this.uids = uids;
        this.settings = settings;
        this.plan = plan;
        this.listeners = listeners;
        this.launcher = launcher;
        this.signals = signals;
        this.policy = new SpawnPolicy(settings);
        this.pool = new Pool(settings);
        this.workers = pool.all;
        this.sources = new SourceLimits(settings);
        this.proxies = TrustedSources.of(settings.proxyFrom);
        this.loop = new EventLoop();
        loop.register(signals.wakeFd(), EventLoop.Priority.SIGNALS, events -> handleSignals());
        for (Fd l : listeners.sockets()) {
            listenerWatches.add(loop.register(l, EventLoop.Priority.CONNECTIONS, events -> dispatch(l)));
        }
    }


    /** Tells systemd (NOTIFY_SOCKET) of readiness, reloads and the stop. */
    Supervisor notifying(SystemdNotifier n) {
        this.notifier = n;
        return this;
    }

    /** Serves until a graceful stop (returns null) or until no worker can start (returns why). */
    String run() throws IOException {
        try {
            while (!(stopping && workers.isEmpty())) {
                long now = System.nanoTime();
                if (uids != null) {
                    Orphans.reap(workers);
                }
                maintainSpareWorkers(now);
                status.watchCap(workers.size(), pool.ready.isEmpty(), pool.preparing.isEmpty(), settings.workersMax,
                        stopping);
                watchListeners(!stopping && !pool.ready.isEmpty() && !pendingProxy.isFull());
                loop.runOnce(Math.min(nextDeadline(now), Math.min(notifier.nextDeadline(now),
                        pendingProxy.nextDeadline())));
                now = System.nanoTime();
                notifier.tick(now);
                pendingProxy.expire(now);
                forgetSettledProxyReads();
                handOverProxied();
                killOverdueWorkers(now);
                retireIdleWorkers(now);
                if (startupFailure != null && !stopping) {
                    beginStop(now, false);
                }
            }
        } finally {
            closeListeners();
            loop.close();
        }
        return startupFailure;
    }

    private void watchListeners(boolean on) throws PosixException {
        for (EventLoop.Registration r : listenerWatches) {
            loop.watch(r, on);
        }
    }

    private void closeListeners() {
        for (EventLoop.Registration r : listenerWatches) {
            loop.unregister(r);
        }
        listenerWatches.clear();
        listeners.close();
    }

    private long limitNanos() {
        return (long) (settings.limitTime * 1000) * MS;
    }

    private long nextDeadline(long now) {
        long next = pool.nextDeadline(limitNanos());
        if (wantsWorker()) {
            next = Math.min(next, policy.nextAttemptAt(now));
        }
        if (uids != null) {
            next = Math.min(next, uids.nextCheckAt());
        }
        return Math.min(next, graceDeadline);
    }

    // ---- the pool ----

    private boolean wantsWorker() {
        return !stopping && pool.wantsWorker() && (uids == null || !uids.full());
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
            pool.started(w, now);
            policy.onSpawned();
            status.metrics.spawned();
            MasterLog.info("worker " + w.pid + " started");
            try {
                watch(w);
            } catch (PosixException e) {
                MasterLog.info("worker " + w.pid + ": cannot watch it: " + e.reason() + "; killing it");
                stopWorker(w);
            }
            return true;
        } catch (PosixException e) {
            if (uid != -1) {
                uids.giveBack(uid);
            }
            int attempt = policy.refusalsSoFar() + 1;
            long waitMs = policy.onRefused(now);
            status.metrics.spawnRefused();
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
        pool.becameReady(w, now);
        notifier.workerReady("serving " + listeners.addresses() + ", " + settings.isolation + " isolation");
    }

    /** Registers a new worker's descriptors: its stderr and link now, its pidfd once the link ends. */
    private void watch(Worker w) throws PosixException {
        w.stderrWatch = loop.register(w.stderr, EventLoop.Priority.OUTPUT, events -> relayStderr(w));
        w.linkWatch = loop.register(w.link, EventLoop.Priority.MESSAGES, events -> readLink(w));
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
            w.exitWatch = loop.register(w.pidfd, EventLoop.Priority.EXITS, events -> reapWorker(w));
        } catch (PosixException e) {
            MasterLog.info("worker " + w.pid + ": cannot watch its exit: " + e.reason() + "; killing it");
            kill(w, null);
        }
    }

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

    /** Tells a worker to stop: idle ones by closing their link, starting ones by SIGKILL. */
    private void stopWorker(Worker w) {
        pool.leaveQueue(w);
        if (w.state == Worker.State.STARTING) {
            kill(w, null);
        }
        w.state = Worker.State.STOPPING;
        closeLink(w);
    }

    private void kill(Worker w, String because) {
        // The first reason is the true one: a link that then fails must not rename the kill.
        if (because != null && w.killedBecause == null) {
            w.killedBecause = because;
        }
        try {
            Processes.kill(w.pid, Posix.Constant.SIGKILL.value);
        } catch (PosixException e) {
            // Already gone: its exit is on its way through the pidfd.
        }
    }

    private void killOverdueWorkers(long now) {
        long limit = limitNanos();
        Worker w;
        // A script that never reaches kraken.loop() in a worker (a loop only workers run, a wait on
        // something only the master could do) must not hold a spare place forever. Killed, it
        // leaves its queue: its exit is on its way, and its deadline is not looked at again.
        while ((w = Pool.overdue(pool.preparing, now, limit)) != null
                || (w = Pool.overdue(pool.exiting, now, limit)) != null) {
            pool.leaveQueue(w);
            MasterLog.info("worker " + w.pid + " was not ready within kraken.limits.time ("
                    + fmt(settings.limitTime) + " s): killing it");
            kill(w, "not ready within kraken.limits.time");
            w.bootError = "not ready within kraken.limits.time (" + fmt(settings.limitTime) + " s)";
        }
        while ((w = Pool.overdue(pool.busy, now, limit)) != null) {
            pool.leaveQueue(w);
            MasterLog.info("worker " + w.pid + " serving " + w.peer + " overran kraken.limits.time ("
                    + fmt(settings.limitTime) + " s): killing it");
            kill(w, "killed after kraken.limits.time (" + fmt(settings.limitTime) + " s)");
        }
        if (now >= graceDeadline && !graceKillsDone) {
            graceKillsDone = true;
            while ((w = pool.busy.oldest()) != null) {
                pool.leaveQueue(w);
                kill(w, "killed at the end of the grace period");
            }
            if (stopping) {
                for (Worker x : workers.values()) {
                    if (x.state != Worker.State.BUSY && x.killedBecause == null) {
                        kill(x, "killed at the end of the grace period");
                    }
                }
            }
        }
    }

    /** Idle workers above the spare target leave, the longest idle first. */
    private void retireIdleWorkers(long now) {
        Worker w;
        while (!stopping && (w = pool.idleToRetire(now)) != null) {
            MasterLog.info("worker " + w.pid + " idle for " + fmt(settings.workersIdle)
                    + " s with " + pool.ready.size() + " ready (spare target " + settings.workersSpare + "): retiring it");
            stopWorker(w);
        }
    }

    // ---- events from workers ----

    private void readLink(Worker w) {
        Protocol.ToMaster msg;
        try {
            msg = Protocol.receiveFromWorker(w.link);
        } catch (IOException e) {
            if (w.killedBecause == null) {
                MasterLog.info("worker " + w.pid + ": " + e.getMessage() + "; stopping it");
            }
            kill(w, "killed for a protocol error");
            closeLink(w);
            return;
        }
        long now = System.nanoTime();
        if (msg == null) {
            closeLink(w); // end of stream: the exit follows through the pidfd
        } else if (msg instanceof Protocol.Ready) {
            onReady(w, now);
        } else if (msg instanceof Protocol.Done d) {
            logConnection(w, now, d.outcome());
            w.state = Worker.State.FINISHING;
            w.preparingSince = now;
            boolean lifeOver = pool.finished(w, now);
            boolean between = w.queue == pool.preparing; // "state": preparing its next state
            if (lifeOver || (between && (w.retiring || w.generation != generation || stopping))) {
                // Its life is over, or a HUP or a stop is under way: it would only build a state
                // nobody uses. Stopped now, its replacement starts at once.
                stopWorker(w);
            }
        } else if (msg instanceof Protocol.Failed f) {
            w.bootError = f.error();
        }
    }

    private void reapWorker(Worker w) {
        Processes.Exit exit;
        try {
            exit = w.exit != null ? w.exit : Processes.waitpid(w.pid, true);
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
        WorkerEnd end = WorkerEnd.of(w, exit, settings);
        if (w.state == Worker.State.BUSY) {
            logConnection(w, now, w.killedBecause != null ? w.killedBecause : "worker died: " + end.description());
        }
        MasterLog.info("worker " + w.pid + " exited: " + end.description());
        if (end.bootFailure()) {
            onBootFailure(w, exit, now);
        }
    }

    private void onBootFailure(Worker w, Processes.Exit exit, long now) {
        status.metrics.bootFailed();
        String why = w.bootError != null ? w.bootError
                : !w.relay.bootOutput().isEmpty() ? w.relay.bootOutput() : exit.toString();
        if (!anyReady) {
            startupFailure = "no worker can start: " + why;
            return;
        }
        notifier.reloadFailed("a worker failed before it was ready: " + why);
        long backoff = policy.onBootFailure(now);
        MasterLog.info("worker " + w.pid + " failed before it was ready: " + why + "; next start in " + backoff
                + " ms");
    }

    // ---- connections ----

    /** Accepts while a worker is ready and hands each connection over; the master's copy is always closed. */
    private void dispatch(Fd listener) {
        kraken.lua.module.Registry.Address where = listeners.addressOf(listener);
        while (!pool.ready.isEmpty() && !pendingProxy.isFull()) {
            // The worker next in line must not be stopped (SIGSTOP from a process of its user),
            // or it would hold the connection until kraken.limits.time. Checked before accept,
            // so that without another ready worker the client waits in the backlog. With a uid
            // range no other process can stop a worker, and the check costs tens of us.
            Worker next = pool.ready.newest();
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
            status.metrics.accepted();
            if (proxies.trusts(peer)) {
                // Its PROXY header is read first, without ever waiting for it here.
                readProxyHeader(conn, peer, where);
                continue;
            }
            try {
                SourceLimits.Slot slot = sources.admit(peer, conn);
                if (slot != null) {
                    handOver(conn, ClientAddress.accepted(peer, where), slot);
                } else {
                    status.metrics.refused(SourceLimits.OVER_PER_SOURCE);
                }
            } finally {
                conn.close();
            }
        }
        handOverProxied();
    }

    /** Takes over a connection from a trusted proxy; the loop reads its header as it comes. */
    private void readProxyHeader(Fd conn, SocketAddress peer, kraken.lua.module.Registry.Address where) {
        pendingProxy.add(conn, peer, where, System.nanoTime());
        if (!conn.isOpen() || !pendingProxy.descriptors().contains(conn)) {
            return; // complete or refused at once
        }
        try {
            proxyReads.put(conn, loop.register(conn, EventLoop.Priority.CONNECTIONS, events -> pendingProxy.read(conn)));
        } catch (PosixException e) {
            MasterLog.info("connection from proxy " + peer + ": cannot watch it: " + e.reason()
                    + "; it is closed when its header is due");
        }
    }

    /** Stops watching the connections whose header is complete, refused or overdue. */
    private void forgetSettledProxyReads() {
        if (proxyReads.isEmpty()) {
            return;
        }
        List<Fd> reading = pendingProxy.descriptors(); // at most PENDING_PROXY_MAX
        for (Iterator<Map.Entry<Fd, EventLoop.Registration>> it = proxyReads.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Fd, EventLoop.Registration> e = it.next();
            if (!reading.contains(e.getKey())) {
                loop.unregister(e.getValue());
                it.remove();
            }
        }
    }

    /**
     * Hands connections whose PROXY header is complete to ready workers, in arrival order. The
     * per-source limit counts the client the proxy reported, not the proxy.
     */
    private void handOverProxied() {
        PendingProxyConnections.Complete c;
        while (!pool.ready.isEmpty() && (c = pendingProxy.nextComplete()) != null) {
            ProxyHeader.Result h = c.header();
            ClientAddress client = h.useReal()
                    ? ClientAddress.accepted(c.proxy(), (kraken.lua.module.Registry.Address) c.listener())
                    : ClientAddress.proxied(h.sourceHost(), h.sourcePort(), c.proxy());
            try {
                SourceLimits.Slot slot = h.useReal() ? sources.admit(c.proxy(), c.conn())
                        : sources.admit(SourceLimits.literalAddress(h.sourceHost()), client.toString(), c.conn());
                if (slot != null) {
                    handOver(c.conn(), client, slot);
                } else {
                    status.metrics.refused(SourceLimits.OVER_PER_SOURCE);
                }
            } finally {
                c.conn().close();
            }
        }
    }

    private void handOver(Fd conn, ClientAddress peer, SourceLimits.Slot slot) {
        Worker w;
        while ((w = pool.takeReady()) != null) {
            try {
                Protocol.sendConnection(w.link, peer.host(), peer.port(), peer.path(), conn);
                w.state = Worker.State.BUSY;
                w.peer = peer.toString();
                w.slot = slot;
                w.connectionStart = System.nanoTime();
                pool.becameBusy(w, w.connectionStart);
                return;
            } catch (IOException e) {
                MasterLog.info("worker " + w.pid + " could not take a connection: " + e.getMessage());
                stopWorker(w);
            }
        }
        status.metrics.connectionEnded(kraken.master.status.Metrics.Outcome.DROPPED, 0);
        sources.release(slot);
        sources.count(SourceLimits.NO_WORKER);
        status.metrics.refused(SourceLimits.NO_WORKER);
        MasterLog.info("connection from " + peer + " dropped: no worker could take it");
    }

    /** The connection of w ended (DONE, or its worker died while busy): logged, and its slot given back. */
    private void logConnection(Worker w, long now, String outcome) {
        sources.release(w.slot);
        w.slot = null;
        served++;
        status.metrics.connectionEnded(MasterStatus.outcomeOf(outcome, w.killedBecause), now - w.connectionStart);
        if (!settings.logConnections && "ok".equals(outcome)) {
            return; // kraken.log.connections = false: errors and kills are still logged
        }
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
                case SNAPSHOT -> status.publishIfAsked(workers.values(), listeners, settings, generation, stopping);
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
        notifier.stopping();
        closeListeners();
        pendingProxy.closeAll();
        forgetSettledProxyReads();
        graceDeadline = graceful ? now + (long) (settings.grace * 1000) * MS : now;
        if (graceful) {
            MasterLog.info("stopping: listeners closed, waiting up to " + fmt(settings.grace)
                    + " s for busy workers");
        }
        for (Worker w : new ArrayList<>(workers.values())) {
            if (w.state == Worker.State.BUSY || (w.state == Worker.State.FINISHING && w.queue != pool.preparing)) {
                w.retiring = true;
            } else if (w.state != Worker.State.STOPPING) {
                stopWorker(w);
            }
        }
    }

    private void restartWorkers() {
        notifier.reloading(System.nanoTime());
        try {
            Settings fresh = plan.reloadSettings().call();
            settings = ReloadableKeys.apply(settings, fresh);
            policy.update(settings);
            pool.update(settings);
            sources.update(settings);
            MasterLog.info("configuration reloaded: " + settings.isolation + " isolation, workers spare "
                    + settings.workersSpare + " max " + settings.workersMax + ", limits.time "
                    + fmt(settings.limitTime) + " s, mm.tries " + settings.mmTries + ", workers idle "
                    + fmt(settings.workersIdle) + " s");
        } catch (Exception ex) {
            MasterLog.info("reload: the configuration was not applied: " + ex.getMessage());
        }
        generation++;
        MasterLog.info("restarting workers (generation " + generation + ")");
        for (Worker w : new ArrayList<>(workers.values())) {
            if (w.state == Worker.State.READY || w.state == Worker.State.STARTING
                    || (w.state == Worker.State.FINISHING && w.queue == pool.preparing)) {
                // A "state" worker between two connections has nothing to finish either.
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
                + "; generation " + generation + "; spare " + pool.spare() + " of " + settings.workersSpare
                + ", descriptors watched " + loop.registered());
    }

    private String refusals() {
        List<String> parts = new ArrayList<>();
        refusalCounts().forEach((reason, n) -> parts.add(reason + "=" + n));
        return String.join(" ", parts);
    }

    /**
     * Connections closed before reaching a worker, by reason ("per_source", "no_worker",
     * "proxy_invalid", "proxy_timeout", "proxy_closed").
     */
    Map<String, Long> refusalCounts() {
        Map<String, Long> all = new LinkedHashMap<>(sources.refusals());
        pendingProxy.refusals().forEach((reason, n) -> all.merge(reason, n, Long::sum));
        return all;
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }

    /** Counts into status, and publishes its snapshots when its status server asks. */
    Supervisor reporting(MasterStatus s) {
        this.status = s;
        return this;
    }
}
