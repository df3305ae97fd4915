package kraken.master;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kraken.lua.module.Registry;
import kraken.master.status.Metrics;
import kraken.posix.Fd;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;
import kraken.proxy.PendingProxyConnections;
import kraken.proxy.ProxyHeader;
import kraken.settings.TrustedSources;

/**
 * Which connections reach a worker, and how: accept(2) on the listening sockets only while a
 * worker is ready (otherwise clients wait in the kernel's backlog), the check that the worker
 * next in line is not stopped, the PROXY header of connections from kraken.proxy.from (read in
 * the event loop as it comes, never waited for), the per-source limit, and the hand-over.
 * Every connection the master accepts is closed here once it is handed over or refused.
 */
final class Admission {
    /** Connections from trusted proxies held at once while their PROXY header is read. */
    static final int PENDING_PROXY_MAX = 128;

    private final MasterState state;
    private final Lifecycle lifecycle;
    private final Pool pool;
    private final EventLoop loop;
    private final Listeners listeners;
    private final List<EventLoop.Registration> listenerWatches = new ArrayList<>();
    private final SourceLimits sources;
    /** kraken.user = {from, to}; null without a range. */
    private final UidPool uids;
    private final TrustedSources proxies;
    private final PendingProxyConnections pendingProxy;
    /** The event-loop registrations of the connections whose PROXY header is being read. */
    private final Map<Fd, EventLoop.Registration> proxyReads = new HashMap<>();

    Admission(MasterState state, Lifecycle lifecycle, Pool pool, EventLoop loop, Listeners listeners,
              SourceLimits sources, UidPool uids) throws PosixException {
        this.state = state;
        this.lifecycle = lifecycle;
        this.pool = pool;
        this.loop = loop;
        this.listeners = listeners;
        this.sources = sources;
        this.uids = uids;
        this.proxies = TrustedSources.of(state.settings.proxyFrom);
        this.pendingProxy = new PendingProxyConnections(PENDING_PROXY_MAX, MasterLog::info,
                reason -> state.status.metrics.refused(reason));
        for (Fd l : listeners.sockets()) {
            listenerWatches.add(loop.register(l, EventLoop.Priority.CONNECTIONS, events -> accept(l)));
        }
    }

    /** Listening sockets are watched only while a worker is ready and PROXY reads have room. */
    void watchListeners() throws PosixException {
        boolean on = !state.stopping && !pool.ready.isEmpty() && !pendingProxy.isFull();
        for (EventLoop.Registration r : listenerWatches) {
            loop.watch(r, on);
        }
    }

    /** When the next PROXY header falls due. */
    long nextDeadline() {
        return pendingProxy.nextDeadline();
    }

    /** After each turn of the loop: overdue PROXY headers refused, complete ones handed over. */
    void afterTurn(long now) {
        pendingProxy.expire(now);
        forgetSettledProxyReads();
        handOverProxied();
    }

    /** The stop: no more connections; those whose PROXY header was still coming are closed. */
    void close() {
        closeListeners();
        pendingProxy.closeAll();
        forgetSettledProxyReads();
    }

    void closeListeners() {
        for (EventLoop.Registration r : listenerWatches) {
            loop.unregister(r);
        }
        listenerWatches.clear();
        listeners.close();
    }

    /** Accepts while a worker is ready and hands each connection over; the master's copy is always closed. */
    private void accept(Fd listener) {
        Registry.Address where = listeners.addressOf(listener);
        while (!pool.ready.isEmpty() && !pendingProxy.isFull()) {
            // The worker next in line must not be stopped (SIGSTOP from a process of its user),
            // or it would hold the connection until kraken.limits.time. Checked before accept,
            // so that without another ready worker the client waits in the backlog. With a uid
            // range too: a process an earlier connection left behind runs as the worker's own
            // uid where no control group ended it. One read of /proc, tens of us.
            Worker next = pool.ready.newest();
            if (ProcStat.isStopped(next.pid)) {
                MasterLog.info("worker " + next.pid + " is stopped (SIGSTOP from a process of its user?): killing it");
                lifecycle.kill(next, "stopped while ready");
                lifecycle.stop(next);
                continue;
            }
            SocketAddress peer = new SocketAddress();
            Fd conn;
            try {
                conn = new Fd(Sockets.accept(listener.get(), peer));
            } catch (PosixException e) {
                if (!e.isWouldBlock()) {
                    MasterLog.info("accept failed: " + e.reason());
                }
                return;
            }
            state.status.metrics.accepted();
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
                    state.status.metrics.refused(SourceLimits.OVER_PER_SOURCE);
                }
            } finally {
                conn.close();
            }
        }
        handOverProxied();
    }

    /** Takes over a connection from a trusted proxy; the loop reads its header as it comes. */
    private void readProxyHeader(Fd conn, SocketAddress peer, Registry.Address where) {
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
    void handOverProxied() {
        PendingProxyConnections.Complete c;
        while (!pool.ready.isEmpty() && (c = pendingProxy.nextComplete()) != null) {
            ProxyHeader.Result h = c.header();
            ClientAddress client = h.useReal()
                    ? ClientAddress.accepted(c.proxy(), (Registry.Address) c.listener())
                    : ClientAddress.proxied(h.sourceHost(), h.sourcePort(), c.proxy());
            try {
                SourceLimits.Slot slot = h.useReal() ? sources.admit(c.proxy(), c.conn())
                        : sources.admit(SourceLimits.literalAddress(h.sourceHost()), client.toString(), c.conn());
                if (slot != null) {
                    handOver(c.conn(), client, slot);
                } else {
                    state.status.metrics.refused(SourceLimits.OVER_PER_SOURCE);
                }
            } finally {
                c.conn().close();
            }
        }
    }

    private void handOver(Fd conn, ClientAddress peer, SourceLimits.Slot slot) {
        if (lifecycle.handOver(conn, peer, slot)) {
            return;
        }
        state.status.metrics.connectionEnded(Metrics.Outcome.DROPPED, 0);
        sources.release(slot);
        sources.count(SourceLimits.NO_WORKER);
        state.status.metrics.refused(SourceLimits.NO_WORKER);
        MasterLog.info("connection from " + peer + " dropped: no worker could take it");
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
}
