package kraken.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import kraken.lua.LuaRuntime;
import kraken.lua.Registry;
import kraken.lua.Settings;
import kraken.master.LaunchPlan;
import kraken.master.MasterLoop;
import kraken.protocol.Protocol.Step;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** The kraken command (SPEC section 2). PLACEHOLDER (lead's branch) until the cli branch lands. */
public final class Main {
    private Main() {}

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(List.of(argv));
        Path config = null;
        if (args.size() >= 2 && args.get(0).equals("--config")) {
            config = args.get(1).isEmpty() ? null : Path.of(args.get(1));
            args = args.subList(2, args.size());
        }
        Path cfg = config;
        Settings settings = load(cfg);
        boolean stmt = args.size() >= 2 && args.get(0).equals("-e");
        Step step = stmt ? new Step(Step.Kind.STATEMENT, args.get(1)) : new Step(Step.Kind.SCRIPT_FILE, args.get(0));
        LaunchPlan plan = new LaunchPlan(List.of(step), stmt ? null : args.get(0),
                List.of("kraken", stmt ? "-e" : args.get(0)), -1, null, () -> load(cfg));
        Globals g = LuaRuntime.create(settings, new Registry(), new MasterLoop(settings, plan), Path.of("."));
        try {
            if (stmt) {
                g.load(args.get(1), "=(command line)").call();
            } else {
                g.loadfile(args.get(0)).call();
            }
        } catch (org.luaj.vm2.LuaError e) {
            System.err.println("kraken: " + e.getMessage());
            System.exit(1);
        }
    }

    private static Settings load(Path config) {
        Settings s = new Settings();
        if (config == null) {
            return s;
        }
        Globals g = JsePlatform.standardGlobals();
        LuaTable k = new LuaTable();
        k.set("mm", new LuaTable());
        k.set("workers", new LuaTable());
        k.set("limits", new LuaTable());
        g.set("kraken", k);
        g.loadfile(config.toString()).call();
        java.util.Map<String, String> m = new java.util.HashMap<>(s.encode());
        flatten("", k, m);
        if (k.get("mm").get("timeout").istable()) {
            m.put("mm.timeout.min", k.get("mm").get("timeout").get(1).tojstring());
            m.put("mm.timeout.max", k.get("mm").get("timeout").get(2).tojstring());
        }
        return Settings.decode(m);
    }

    private static void flatten(String prefix, LuaTable t, java.util.Map<String, String> m) {
        for (LuaValue key = t.next(LuaValue.NIL).arg1(); !key.isnil(); key = t.next(key).arg1()) {
            LuaValue v = t.get(key);
            if (v.istable()) {
                flatten(prefix + key.tojstring() + ".", (LuaTable) v, m);
            } else {
                String val = v.tojstring();
                m.put(prefix + key.tojstring(), v.isinttype() ? Integer.toString(v.toint()) : val);
            }
        }
    }
}
