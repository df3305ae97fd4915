package kraken.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import kraken.proxy.PendingProxyConnections;
import kraken.proxy.ProxyHeader;
import kraken.proxy.TrustedSources;

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
    private SystemdNotifier notifier = SystemdNotifier.none();
    private final TrustedSources proxies;
    private final PendingProxyConnections pendingProxy =
            new PendingProxyConnections(PENDING_PROXY_MAX, MasterLog::info);
    /** Connections from trusted proxies held at once while their PROXY header is read. */
    static final int PENDING_PROXY_MAX = 128;

    Supervisor(Settings settings, LaunchPlan plan, Listeners listeners, WorkerLauncher launcher, SignalEvents signals) {
        this.settings = settings;
        this.plan = plan;
        this.listeners = listeners;
        this.launcher = launcher;
        this.signals = signals;
        this.policy = new SpawnPolicy(settings);
        this.proxies = TrustedSources.of(settings.proxyFrom);
    }

    /** Connections closed before reaching a worker, by reason (for the metrics). */
    Map<String, Long> refusals() {
        return pendingProxy.refusals();
    }

    /** Tells systemd (NOTIFY_SOCKET) of readiness, reloads and the stop. */
    Supervisor notifying(SystemdNotifier n) {
        this.notifier = n;
        return this;
    }

    /** Serves until a graceful stop (returns null) or until no worker can start (returns why). */
    String run() throws IOException {
        while (!(stopping && workers.isEmpty())) {
            long now = System.nanoTime();
            maintainSpareWorkers(now);
            pollOnce(now);
            now = System.nanoTime();
            notifier.tick(now);
            pendingProxy.expire(now);
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
            if (w.stderr.isOpen()) {
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
        for (Fd p : pendingProxy.descriptors()) {
            pollSet.add(p, PollSet.Kind.PROXY, null);
        }
        if (!stopping && !ready.isEmpty() && !pendingProxy.isFull()) {
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
                    case STDERR -> relayStderr(w);
                    case LINK -> readLink(w);
                    case EXIT -> reapWorker(w);
                    case PROXY -> pendingProxy.read(pollSet.fd(i));
                    case LISTENER -> dispatch(pollSet.fd(i));
                }
            }
        }
        handOverProxied();
    }

    private int timeoutMs(long now) {
        long next = Long.MAX_VALUE;
        if (wantsWorker()) {
            next = Math.min(next, policy.nextAttemptAt(now));
        }
        long limit = (long) (settings.limitTime * 1000) * MS;
        for (Worker w : workers.values()) {
            if (w.isBusy()) {
                next = Math.min(next, w.connectionStart + limit);
            } else if (w.isPreparing() && w.killedBecause == null) {
                next = Math.min(next, w.preparingSince + limit);
            }
        }
        next = Math.min(next, graceDeadline);
        next = Math.min(next, notifier.nextDeadline(now));
        next = Math.min(next, pendingProxy.nextDeadline());
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
        return !stopping && spareCount() < settings.workersSpare && workers.size() < settings.workersMax;
    }

    private void maintainSpareWorkers(long now) {
        while (wantsWorker() && policy.mayAttempt(now) && startupFailure == null) {
            if (!spawnWorker(now)) {
                return;
            }
        }
    }

    private boolean spawnWorker(long now) {
        try {
            Worker w = launcher.spawn(settings, plan, generation);
            workers.put(w.pid, w);
            policy.onSpawned();
            MasterLog.info("worker " + w.pid + " started");
            return true;
        } catch (PosixException e) {
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
        notifier.workerReady("serving " + listeners.addresses() + ", " + settings.isolation + " isolation");
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
            exit = Posix.waitpid(w.pid, true);
        } catch (PosixException e) {
            exit = new Posix.Exit(w.pid, 0);
            MasterLog.info("worker " + w.pid + ": " + e.getMessage());
        }
        if (exit == null) {
            return; // the pidfd fired early; poll again
        }
        relayStderr(w);
        flushStderrLine(w);
        workers.remove(w.pid);
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
                : w.bootOutput.length() > 0 ? w.bootOutput.toString().strip() : exit.toString();
        if (!anyReady) {
            startupFailure = "no worker can start: " + why;
            return;
        }
        notifier.reloadFailed("a worker failed before it was ready: " + why);
        long backoff = policy.onBootFailure(now);
        MasterLog.info("worker " + w.pid + " failed before it was ready: " + why + "; next start in " + backoff
                + " ms");
    }

    private void relayStderr(Worker w) {
        if (!w.stderr.isOpen()) {
            return;
        }
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = Posix.read(w.stderr.get(), buf, buf.length)) > 0) {
                String text = new String(buf, 0, n, StandardCharsets.UTF_8);
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (c == '\n') {
                        flushStderrLine(w);
                    } else {
                        w.stderrLine.append(c);
                    }
                }
            }
            if (n == 0) {
                flushStderrLine(w);
                w.stderr.close();
            }
        } catch (PosixException e) {
            if (!e.isWouldBlock()) {
                w.stderr.close();
            }
        }
    }

    private void flushStderrLine(Worker w) {
        if (w.stderrLine.length() == 0) {
            return;
        }
        String line = w.stderrLine.toString();
        w.stderrLine.setLength(0);
        System.err.println("kraken: worker " + w.pid + ": " + line);
        if (!w.everReady && w.bootOutput.length() < 4000) {
            w.bootOutput.append(line).append('\n');
        }
    }

    // ---- connections ----

    /** Accepts while a worker is ready and hands each connection over; the master's copy is always closed. */
    private void dispatch(Fd listener) {
        kraken.lua.Registry.Address where = listeners.addressOf(listener);
        while (!ready.isEmpty() && !pendingProxy.isFull()) {
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
            if (proxies.trusts(peer)) {
                // Its PROXY header is read first, without ever waiting for it here.
                pendingProxy.add(conn, peer, where, System.nanoTime());
                continue;
            }
            try {
                handOver(conn, ClientAddress.accepted(peer, where));
            } finally {
                conn.close();
            }
        }
        handOverProxied();
    }

    /** Hands connections whose PROXY header is complete to ready workers, in arrival order. */
    private void handOverProxied() {
        PendingProxyConnections.Complete c;
        while (!ready.isEmpty() && (c = pendingProxy.nextComplete()) != null) {
            ProxyHeader.Result h = c.header();
            ClientAddress client = h.useReal()
                    ? ClientAddress.accepted(c.proxy(), (kraken.lua.Registry.Address) c.listener())
                    : ClientAddress.proxied(h.sourceHost(), h.sourcePort(), c.proxy());
            try {
                handOver(c.conn(), client);
            } finally {
                c.conn().close();
            }
        }
    }

    private void handOver(Fd conn, ClientAddress peer) {
        Worker w;
        while ((w = ready.pollLast()) != null) {
            try {
                Protocol.sendConnection(w.link, peer.host(), peer.port(), peer.path(), conn);
                w.state = Worker.State.BUSY;
                w.peer = peer.toString();
                w.connectionStart = System.nanoTime();
                return;
            } catch (IOException e) {
                MasterLog.info("worker " + w.pid + " could not take a connection: " + e.getMessage());
                stopWorker(w);
            }
        }
        MasterLog.info("connection from " + peer + " dropped: no worker could take it");
    }

    private void logConnection(Worker w, long now, String outcome) {
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
        notifier.stopping();
        listeners.close();
        pendingProxy.closeAll();
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
        notifier.reloading(System.nanoTime());
        try {
            Settings fresh = plan.reloadSettings().call();
            settings = ReloadableKeys.apply(settings, fresh);
            policy.update(settings);
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
                + policy.bootFailedTotal() + "; generation " + generation);
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
