package kraken.cli;

import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.settings.Settings;
import kraken.image.ImageException;
import kraken.image.ImageLimits;
import kraken.image.ImageWriter;
import kraken.master.MasterLoop;
import kraken.master.ScriptProcess;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * kraken.loop() in a normal run: captures the state as the image every connection will copy
 * (docs/processes.md, "Who runs what"), then runs the master's loop with it. This is a master without privileges,
 * which runs the script in its own JVM (docs/processes.md); on HUP it runs the top level again in
 * a script process all the same, as a root master does, since this state has moved on.
 */
final class PlannedMasterLoop implements LoopHandler {
    private final Settings settings;
    private final ProgramRecord record;
    private Globals globals;
    /** How HUP runs the top level again (in a script process of this user); null: it cannot. */
    private final ScriptProcess.Reloads reloads;

    PlannedMasterLoop(Settings settings, ProgramRecord record, ScriptProcess.Reloads reloads) {
        this.settings = settings;
        this.record = record;
        this.reloads = reloads;
    }

    /** The state whose kraken.loop() this is (made after this handler, which it holds). */
    void attach(Globals g) {
        this.globals = g;
    }

    @Override
    public Varargs loop(Registry registry) {
        if (registry.application() == null) {
            return LuaValue.varargsOf(LuaValue.NIL,
                    LuaValue.valueOf("no application registered (call kraken.registerApplication first)"));
        }
        byte[] image;
        try {
            image = ImageWriter.capture(globals, registry, ImageLimits.forHeap(settings));
        } catch (ImageException e) {
            return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(e.getMessage()));
        }
        return new MasterLoop(settings, record.plan(image)).reloading(reloads).loop(registry);
    }
}
