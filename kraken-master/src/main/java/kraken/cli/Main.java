package kraken.cli;

import java.nio.file.Path;
import java.util.List;
import kraken.lua.LuaRuntime;
import kraken.lua.Registry;
import kraken.lua.Settings;
import kraken.master.LaunchPlan;
import kraken.master.MasterLoop;
import org.luaj.vm2.Globals;

/** The kraken command (SPEC section 2). Placeholder: runs `-e stat` or a script file. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        Settings settings = new Settings();
        LaunchPlan plan = new LaunchPlan(List.of(), null, List.of(), 0, null, () -> settings);
        Globals g = LuaRuntime.create(settings, new Registry(), new MasterLoop(settings, plan), Path.of("."));
        if (args.length >= 2 && args[0].equals("-e")) {
            g.load(args[1], "=(command line)").call();
        } else if (args.length >= 1) {
            g.loadfile(args[0]).call();
        }
    }
}
