package kraken.worker;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import kraken.lua.module.ApplicationRunner;
import kraken.lua.runtime.ConnectionResources;
import kraken.lua.module.LoopHandler;
import kraken.lua.runtime.LuaRuntime;
import kraken.lua.sockets.LuaSocket;
import kraken.lua.module.Registry;
import kraken.lua51.LineAtomicStream;
import kraken.posix.Descriptors;
import kraken.posix.ThisProcess;
import kraken.settings.Settings;
import kraken.image.Image;
import kraken.image.ImageException;
import kraken.image.ImageLimits;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.protocol.Protocol;
import kraken.protocol.Protocol.Connection;
import kraken.protocol.Protocol.Hello;
import kraken.protocol.Protocol.ToWorker;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A worker JVM: takes its orders from the master over the link at descriptor 3, switches to the
 * application's user, builds the script's state from the image of it at kraken.loop() (the top
 * level never runs here), reports READY, then serves the connections the master passes it: one in
 * "process" isolation, up to kraken.workers.connections in "state" isolation, each in a fresh copy
 * of the image.
 */
public final class WorkerMain {
    private final Fd link;
    private Hello hello;
    private Settings settings;
    private Image image;
    private Path scriptDir;
    private boolean watch;
    /** kraken.limits.cpu per connection in "state" isolation; null otherwise. */
    private CpuWatch cpuWatch;
    /** The descriptors held between connections ("state" isolation). */
    private DescriptorCensus census;

    // A class, not a lambda, on the start-up path: a lambda's first use bootstraps method handles.
    // The top level ran elsewhere, once: here kraken.loop() can only come from a connection.
    private static final LoopHandler ALREADY_SERVING = new LoopHandler() {
        @Override
        public Varargs loop(Registry registry) {
            return LuaValue.varargsOf(LuaValue.NIL,
                    LuaValue.valueOf("kraken.loop: already serving (called from inside a connection)"));
        }
    };

    private WorkerMain(Fd link) {
        this.link = link;
    }

    public static void main(String[] args) {
        // Before any Lua state exists (Globals.STDOUT is System.out when it is made): each line the
        // script prints leaves in one write, never interleaved with another worker's.
        System.setOut(new PrintStream(new LineAtomicStream(new FileOutputStream(FileDescriptor.out)), false));
        int status = serve(new Fd(Protocol.LINK_FD), true);
        // The master has the outcome (DONE, FAILED, or the link's end) and the connection is
        // closed: the JVM's orderly shutdown (hooks, thread and VM teardown, ~10 ms of CPU on a
        // one-connection worker) would buy nothing. What the script printed is flushed first.
        System.out.flush();
        System.err.flush();
        ThisProcess.exitNow(status);
    }

    /** Runs a worker on the given link; returns its exit status. */
    static int serve(Fd link, boolean watchMaster) {
        WorkerMain w = new WorkerMain(link);
        w.watch = watchMaster;
        return w.run();
    }

    private int run() {
        Registry registry;
        Globals state;
        try {
            ToWorker first = Protocol.receiveFromMaster(link);
            if (first == null) {
                return Protocol.EXIT_MASTER_GONE;
            }
            if (!(first instanceof Hello h)) {
                complain("protocol: expected HELLO first");
                return Protocol.EXIT_PROTOCOL;
            }
            hello = h;
        } catch (IOException e) {
            complain(e.getMessage());
            return Protocol.EXIT_PROTOCOL;
        }
        try {
            // Children the script starts (os.execute, io.popen) must not inherit the link.
            Descriptors.setCloseOnExec(link.get());
            settings = Settings.decode(hello.settings());
            byte[] bytes;
            try (Fd file = hello.image()) {
                bytes = Protocol.readImage(file, ImageLimits.forHeap(settings));
            }
            applyLimits();
            PrivilegeDrop.apply(hello.uid(), hello.gid(), hello.groups(), settings.allowRoot, watch);
            // The drop clears the parent-death signal, so it is set after it.
            ThisProcess.setParentDeathSignal(Posix.Constant.SIGKILL.value);
            if (watch) {
                watchMaster();
            }
            scriptDir = scriptDir(hello);
            // Parsed only now, as the application's user: the image is the script's work.
            image = Image.read(bytes, ImageLimits.forHeap(settings));
            registry = new Registry();
            state = prepareState(registry);
            warmConnectionPath();
            census = new DescriptorCensus();
        } catch (Throwable t) {
            return bootFailed(t);
        }
        int limit = settings.stateIsolation() ? settings.workersConnections : 1;
        for (int served = 0; served < limit; served++) {
            if (served > 0) {
                try {
                    registry = new Registry();
                    state = prepareState(registry);
                } catch (Throwable t) {
                    return bootFailed(t);
                }
            }
            try {
                Protocol.sendReady(link);
                ToWorker msg = Protocol.receiveFromMaster(link);
                if (msg == null) {
                    return Protocol.EXIT_MASTER_GONE;
                }
                if (!(msg instanceof Connection c)) {
                    complain("protocol: expected a connection");
                    return Protocol.EXIT_PROTOCOL;
                }
                String outcome = serve(state, registry, c);
                System.out.flush();
                Protocol.sendDone(link, outcome);
                if (served + 1 < limit && !stateIsClean()) {
                    return Protocol.EXIT_RETIRED;
                }
            } catch (IOException e) {
                complain(e.getMessage());
                return Protocol.EXIT_MASTER_GONE;
            }
            state = null; // the connection's state is garbage from here on
        }
        return Protocol.EXIT_OK;
    }

    /** A fresh copy of the image: the state as the script left it at kraken.loop(). */
    private Globals prepareState(Registry registry) throws ImageException {
        Globals g = image.instantiate(settings, registry, ALREADY_SERVING, scriptDir);
        if (registry.application() == null) {
            throw new ImageException("kraken.loop: no application registered");
        }
        return g;
    }

    /** Resumes the application with (socket, {host, port}) until it finishes; returns the outcome. */
    private String serve(Globals state, Registry registry, Connection c) throws IOException {
        LuaValue socket = LuaSocket.wrap(c.fd(), settings);
        LuaTable peer = new LuaTable();
        peer.set("host", c.peerHost());
        peer.set("port", c.peerPort());
        if (cpuWatch != null) {
            cpuWatch.connectionStarted();
        }
        ConnectionResources.begin();
        if (c.path() != null) {
            peer.set("path", c.path());
        }
        try {
            return registry.runner().run(state, registry.application(), LuaValue.varargsOf(socket, peer));
        } finally {
            if (cpuWatch != null) {
                cpuWatch.connectionEnded();
            }
            // Suspended coroutines keep Java threads; none may outlive its connection.
            registry.coroutines().endAll();
            c.fd().close();
            ConnectionResources.closeAll();
        }
    }

    /**
     * "state" isolation: whether the next connection may run in this process. What the
     * connection opened through Kraken (sockets, io files) is closed already; anything else it
     * left open retires the worker (docs/hostile-input.md).
     */
    private boolean stateIsClean() {
        List<String> left = census.leftOver();
        if (!left.isEmpty()) {
            complain("retiring: the connection left descriptors open "
                    + left);
            return false;
        }
        // A read-only worker's /tmp is its own (docs/walls.md): the next connection finds it empty.
        String[] tmp = "read-only".equals(settings.confineFiles) ? new java.io.File("/tmp").list() : null;
        if (tmp != null && tmp.length > 0) {
            complain("retiring: the connection left files in its private /tmp");
            return false;
        }
        return true;
    }

    /**
     * Initialises, before READY, the classes a connection needs (the socket object, its methods
     * table, its read buffer, the cleaner thread that closes collected sockets), so that the first
     * connection does not pay for them while its client waits. No application code runs here.
     */
    private void warmConnectionPath() throws IOException {
        int[] pair = Descriptors.socketpair(Posix.Constant.SOCK_STREAM.value);
        try (Fd other = new Fd(pair[1])) {
            LuaValue socket = LuaSocket.wrap(new Fd(pair[0]), settings);
            socket.get("close").call(socket);
        }
    }

    private void applyLimits() throws IOException {
        if (settings.limitCpu != null && settings.stateIsolation()) {
            cpuWatch = CpuWatch.start(settings.limitCpu);
        } else if (settings.limitCpu != null) {
            // One connection per process: the kernel's limit is the connection's. SIGXCPU at the
            // soft limit names the cause in the exit; the hard one, a second later, is SIGKILL.
            // Set before the uid switch, so the worker (or a child of its uid) can never raise it.
            ThisProcess.setrlimit(Posix.Constant.RLIMIT_CPU.value, settings.limitCpu, settings.limitCpu + 1);
        }
        if (settings.limitFiles != null) {
            ThisProcess.setrlimit(Posix.Constant.RLIMIT_NOFILE.value, settings.limitFiles, settings.limitFiles);
        }
        // Set while still root, so that it holds once the drop makes it apply; it counts the
        // processes and threads of the worker's uid, so it is a per-worker cap with a uid range.
        // Where the master put the worker in a control group of its own, the group's pids.max is
        // the per-worker cap; under a uid shared by every worker, RLIMIT_NPROC would be a cap on
        // all of them together, so it is set only with a uid range.
        if (settings.limitProcesses != null && (settings.userFrom != null || !settings.processesByGroup)) {
            ThisProcess.setrlimit(Posix.Constant.RLIMIT_NPROC.value, settings.limitProcesses, settings.limitProcesses);
        }
    }

    private static Path scriptDir(Hello h) {
        if (h.scriptDir() != null) {
            return Path.of(h.scriptDir());
        }
        return Path.of(new java.io.File(".").getAbsolutePath());
    }

    /**
     * End-of-stream on the link is the master's death (or its order to stop): exit at once, even
     * in the middle of a connection. Polling with no requested events reports only the hang-up,
     * so this thread never consumes a message meant for the main loop.
     */
    private void watchMaster() {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                awaitHangup();
            }
        }, "kraken-link-watch");
        t.setDaemon(true);
        t.start();
    }

    private void awaitHangup() {
        int[] fds = {link.get()};
        short[] events = {0};
        short[] revents = new short[1];
        int hangup = Posix.Constant.POLLHUP.value | Posix.Constant.POLLERR.value | Posix.Constant.POLLNVAL.value;
        while (true) {
            try {
                if (Descriptors.poll(fds, events, revents, 1, -1) > 0 && (revents[0] & hangup) != 0) {
                    System.out.flush();
                    Runtime.getRuntime().halt(Protocol.EXIT_MASTER_GONE);
                }
            } catch (IOException e) {
                Runtime.getRuntime().halt(Protocol.EXIT_MASTER_GONE);
            }
        }
    }

    /**
     * A worker's standard error is a pipe the master reads; it relays each line as
     * "kraken: worker PID: line". The prefix is the master's, so the worker writes the text alone.
     */
    static void complain(String text) {
        System.err.println(text);
    }

    private int bootFailed(Throwable t) {
        String text = t instanceof LuaError e ? ApplicationRunner.errorText(e)
                : t instanceof IOException || t instanceof ImageException ? t.getMessage() : t.toString();
        complain(text);
        try {
            Protocol.sendFailed(link, text);
        } catch (IOException e) {
            // The master is gone too; the exit status says the rest.
        }
        System.out.flush();
        return Protocol.EXIT_BOOT_FAILED;
    }
}
