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
        if (System.getenv("KRAKEN_TEST_SETTINGS") != null) {
            // Placeholder hook until the configuration lands: "key=value;key=value".
            java.util.Map<String, String> m = new java.util.HashMap<>(settings.encode());
            for (String kv : System.getenv("KRAKEN_TEST_SETTINGS").split(";")) {
                String[] p = kv.split("=", 2);
                m.put(p[0], p[1]);
            }
            settings = Settings.decode(m);
        }
        final Settings s = settings;
        boolean stmt = args.length >= 2 && args[0].equals("-e");
        kraken.protocol.Protocol.Step step = stmt
                ? new kraken.protocol.Protocol.Step(kraken.protocol.Protocol.Step.Kind.STATEMENT, args[1])
                : new kraken.protocol.Protocol.Step(kraken.protocol.Protocol.Step.Kind.SCRIPT_FILE, args[0]);
        LaunchPlan plan = new LaunchPlan(List.of(step), stmt ? null : args[0], List.of("kraken", stmt ? "-e" : args[0]),
                -1, null, () -> s);
        Globals g = LuaRuntime.create(settings, new Registry(), new MasterLoop(settings, plan), Path.of("."));
        if (stmt) {
            g.load(args[1], "=(command line)").call();
        } else if (args.length >= 1) {
            g.loadfile(args[0]).call();
        }
    }
}
