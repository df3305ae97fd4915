package kraken.master;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import kraken.lua.module.Registry;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;
import kraken.settings.Settings;

/**
 * The supervisor's parts wired as {@link Supervisor} wires them, over a {@link FakeLauncher}:
 * the lifecycle, spawning and admission run for real (epoll, links, listening sockets on
 * 127.0.0.1), and no worker process is ever started. {@link #turn} is one turn of the
 * supervisor's loop.
 */
final class MasterRig implements AutoCloseable {
    static final long MS = 1_000_000L;

    final MasterState state;
    final Pool pool;
    final EventLoop loop;
    final FakeLauncher launcher = new FakeLauncher();
    final SourceLimits sources;
    final Listeners listeners;
    final Lifecycle lifecycle;
    final Spawner spawner;
    final Admission admission;

    MasterRig(Settings s) throws IOException {
        state = new MasterState(s);
        pool = new Pool(s);
        loop = new EventLoop();
        sources = new SourceLimits(s);
        listeners = Listeners.bind(List.of(new Registry.Address("127.0.0.1", 0)));
        lifecycle = new Lifecycle(state, pool, loop, launcher, sources, listeners, null);
        LaunchPlan plan = new LaunchPlan(new byte[0], Path.of("."), () -> s);
        spawner = new Spawner(state, lifecycle, pool, launcher, plan, null);
        admission = new Admission(state, lifecycle, pool, loop, listeners, sources, null);
    }

    /** Settings for a rig: process isolation, no spare worker started unless asked. */
    static Settings settings(int spare) {
        Settings s = new Settings();
        s.workersSpare = spare;
        return s;
    }

    /** The port the listener was given. */
    int port() throws IOException {
        SocketAddress a = new SocketAddress();
        Sockets.getsockname(listeners.sockets().get(0).get(), a);
        return a.port();
    }

    /** One turn of the supervisor's loop, waiting at most waitMs for an event. */
    void turn(long waitMs) throws IOException {
        long now = System.nanoTime();
        spawner.maintain(now);
        admission.watchListeners();
        loop.runOnce(Math.min(now + waitMs * MS, Math.min(lifecycle.nextDeadline(), admission.nextDeadline())));
        now = System.nanoTime();
        admission.afterTurn(now);
        lifecycle.killOverdue(now);
        lifecycle.retireIdle(now);
    }

    /** Turns the loop until done says so (at most 5 s). */
    void turnUntil(java.util.function.BooleanSupplier done) throws IOException {
        long end = System.nanoTime() + 5_000 * MS;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("the supervisor's parts did not get there within 5 s");
            }
            turn(50);
        }
    }

    /** The fake process of the n-th worker started (0 first). */
    FakeLauncher.FakeProcess process(int n) {
        return launcher.spawned.get(n);
    }

    @Override
    public void close() {
        admission.closeListeners();
        launcher.closeAll();
        loop.close();
    }
}
