package kraken.cli;

import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.settings.Settings;
import kraken.master.MasterLoop;
import org.luaj.vm2.Varargs;

/**
 * kraken.loop() in a normal run: the master's loop, given the plan as it stands when loop() is
 * called (in interactive mode, the lines typed so far are part of it).
 */
final class PlannedMasterLoop implements LoopHandler {
    private final Settings settings;
    private final ProgramRecord record;

    PlannedMasterLoop(Settings settings, ProgramRecord record) {
        this.settings = settings;
        this.record = record;
    }

    @Override
    public Varargs loop(Registry registry) {
        return new MasterLoop(settings, record.plan()).loop(registry);
    }
}
