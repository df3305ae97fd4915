package kraken.master;

import java.io.IOException;
import kraken.lua.LoopHandler;
import kraken.lua.Registry;
import kraken.lua.Settings;
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

    public MasterLoop(Settings settings, LaunchPlan plan) {
        this.settings = settings;
        this.plan = plan;
    }

    @Override
    public Varargs loop(Registry registry) {
        if (registry.application() == null) {
            return fail("no application registered (call kraken.registerApplication first)");
        }
        if (registry.addresses().isEmpty()) {
            return fail("no address registered (call kraken.registerAddress first)");
        }
        WorkerUser user;
        try {
            user = WorkerUser.resolve(registry, settings);
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
        Listeners listeners;
        try {
            listeners = Listeners.bind(registry.addresses(), SocketActivation.fromEnvironment(System.getenv()));
        } catch (IOException e) {
            return fail(e.getMessage());
        }
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv());
        SignalEvents signals = null;
        WorkerLauncher launcher = null;
        try {
            signals = new SignalEvents();
            launcher = new WorkerLauncher(user);
            if (MasterLog.debug()) {
                MasterLog.info("worker command: " + String.join(" ", launcher.command(settings)));
            }
            signals.install();
            MasterLog.info("serving " + listeners.addresses() + " as " + user + ", " + settings.isolation
                    + " isolation");
            String failure = new Supervisor(settings, plan, listeners, launcher, signals).notifying(notifier).run();
            if (failure != null) {
                return fail(failure);
            }
            MasterLog.info("stopped");
            return LuaValue.TRUE;
        } catch (IOException e) {
            return fail(e.getMessage());
        } finally {
            listeners.close();
            notifier.close();
            if (signals != null) {
                signals.uninstall();
            }
            if (launcher != null) {
                launcher.close();
            }
        }
    }

    private static Varargs fail(String message) {
        return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(message));
    }
}
