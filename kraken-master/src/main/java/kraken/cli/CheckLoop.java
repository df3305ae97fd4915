package kraken.cli;

import java.io.PrintStream;
import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.posix.Privileges;
import kraken.settings.Settings;
import java.util.function.IntConsumer;
import kraken.posix.PosixException;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * kraken.loop() under --check: prints what the script registered, one line each, and ends the
 * run there, so no code after loop() runs and nothing is served (like nginx -t).
 */
final class CheckLoop implements LoopHandler {
    private final Settings settings;
    private final PrintStream out;
    /** Ends the run with the given status; does not return. */
    private final IntConsumer endRun;
    private final PrintStream err;

    CheckLoop(Settings settings, PrintStream out, PrintStream err, IntConsumer endRun) {
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.endRun = endRun;
    }

    @Override
    public Varargs loop(Registry registry) {
        for (Registry.Address a : registry.addresses()) {
            out.println("address " + a);
        }
        out.println("application " + (registry.application() == null ? "none" : registry.application().tojstring()));
        out.println("user " + user(registry));
        out.flush();
        String problem = registry.application() == null ? "no application registered (kraken.registerApplication)"
                : registry.addresses().isEmpty() ? "no address registered (kraken.registerAddress)" : null;
        if (problem != null) {
            err.println(ErrorReport.PROGRAM + ": --check: " + problem);
            err.flush();
        }
        endRun.accept(problem == null ? 0 : 1);
        return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("--check ends here"));
    }

    /** The user workers would run as: the script's, else the configuration's, else the default. */
    private String user(Registry registry) {
        if (registry.user() != null) {
            return registry.user();
        }
        if (settings.userFrom != null) {
            return "uids " + Integer.toUnsignedString(settings.userFrom) + "-" + Integer.toUnsignedString(settings.userTo)
                    + " (kraken.user, a uid of its own per worker)";
        }
        if (settings.user != null && settings.userDefaulted) {
            return "nobody (the default for a root master)";
        }
        if (settings.user != null) {
            return settings.user + " (kraken.user)";
        }
        int uid;
        try {
            uid = Privileges.getresids()[1];
        } catch (PosixException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        if (uid == 0) {
            return "nobody (the default for a root master)";
        }
        Privileges.User me = Privileges.getpwuid(uid);
        return (me != null ? me.name() : Integer.toString(uid)) + " (the master's own user)";
    }
}
