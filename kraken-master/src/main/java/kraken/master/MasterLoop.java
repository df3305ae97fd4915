package kraken.master;

import java.io.IOException;
import java.util.List;
import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.posix.master.Processes;
import kraken.master.cgroup.ControlGroups;
import kraken.settings.Settings;
import kraken.master.status.StatusBoard;
import kraken.master.status.StatusServer;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * kraken.loop() in the master: binds every registered address, preforks workers and dispatches
 * connections on this thread until a graceful stop, then returns true. Returns nil and a
 * message when the server cannot start.
 */
public final class MasterLoop implements LoopHandler {
    private final Settings settings;
    private final LaunchPlan plan;

    /** Runs the top level again on HUP (a root master's script process); null: the image is kept. */
    private ScriptProcess.Reloads reloads;

    /** HUP runs the top level again this way (docs/signals.md). */
    public MasterLoop reloading(ScriptProcess.Reloads r) {
        this.reloads = r;
        return this;
    }

    public MasterLoop(Settings settings, LaunchPlan plan) {
        this.settings = settings;
        this.plan = plan;
    }

    @Override
    public Varargs loop(Registry registry) {
        String failure = serve(registry.addresses(), registry.application() != null, registry.user());
        return failure == null ? LuaValue.TRUE : fail(failure);
    }

    /**
     * Checks what the script registered (in this JVM or reported by its script process), binds,
     * serves until a graceful stop; returns null then, or why the server could not start.
     *
     * @param user the user the script registered, null when none
     */
    public String serve(List<Registry.Address> addresses, boolean hasApplication, String user) {
        Varargs r = run(addresses, hasApplication, user);
        return r.arg1().toboolean() ? null : r.arg(2).tojstring();
    }

    private Varargs run(List<Registry.Address> addresses, boolean hasApplication, String registeredUser) {
        if (!hasApplication) {
            return fail("no application registered (call kraken.registerApplication first)");
        }
        if (addresses.isEmpty()) {
            return fail("no address registered (call kraken.registerAddress first)");
        }
        WorkerUser user;
        try {
            user = WorkerUser.resolve(registeredUser, settings);
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        Listeners listeners;
        try {
            listeners = Listeners.bind(addresses, SocketActivation.fromEnvironment(System.getenv()));
        } catch (IOException e) {
            return fail(e.getMessage());
        }
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv());
        SignalEvents signals = null;
        WorkerLauncher launcher = null;
        ControlGroups groups = null;
        StatusServer statusServer = null;
        try {
            signals = new SignalEvents();
            SignalEvents events = signals;
            StatusBoard board = null;
            if (settings.statusHost != null || settings.statusPath != null) {
                board = new StatusBoard(() -> events.post(SignalEvents.Event.SNAPSHOT));
                statusServer = StatusServer.bind(settings, board);
            }
            WorkerWalls walls = WorkerWalls.build(settings, plan);
            groups = ControlGroups.discover();
            // The group's pids.max caps each worker; RLIMIT_NPROC would cap a shared uid's workers together.
            settings.processesByGroup = groups.enabled();
            launcher = new WorkerLauncher(user, walls, groups);
            if (MasterLog.debug()) {
                MasterLog.info("worker command: " + String.join(" ", launcher.command(settings)));
            }
            if (user.range() != null) {
                // What a worker leaves running comes to the master, to be killed by uid and reaped.
                Processes.setChildSubreaper();
            }
            signals.install();
            MasterLog.info("java " + Runtime.version() + " at " + System.getProperty("java.home")
                    + "; workers start with " + WorkerFlags.sharingDescription());
            MasterLog.info(groups.describe(settings));
            MasterLog.info("serving " + listeners.addresses() + " as " + user + ", " + settings.isolation
                    + " isolation; workers walled in by " + walls);
            if (statusServer != null) {
                statusServer.start();
                MasterLog.info("status and metrics on " + statusServer.where());
            }
            String failure = new Supervisor(settings, plan, listeners, launcher, signals, user.range())
                    .reporting(new MasterStatus(board)).notifying(notifier).reloadingTopLevel(reloads).grouping(groups)
                    .run();
            if (failure != null) {
                return fail(failure);
            }
            MasterLog.info("stopped");
            return LuaValue.TRUE;
        } catch (IOException e) {
            return fail(e.getMessage());
        } finally {
            if (statusServer != null) {
                statusServer.close();
            }
            listeners.close();
            notifier.close();
            if (signals != null) {
                signals.uninstall();
            }
            if (launcher != null) {
                launcher.close();
            }
            if (groups != null) {
                groups.close();
            }
        }
    }

    private static Varargs fail(String message) {
        return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(message));
    }
}
