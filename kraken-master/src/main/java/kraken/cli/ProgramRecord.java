package kraken.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import kraken.settings.Settings;
import kraken.master.LaunchPlan;
import kraken.protocol.Protocol.Step;

/**
 * What the program has run so far, kept so that kraken.loop() can hand workers the plan to
 * rebuild the same state: the steps (-e, -l, the script, interactive lines), the arg table,
 * and how to re-read the configuration.
 */
final class ProgramRecord {
    private final List<Step> steps = new ArrayList<>();
    private final Callable<Settings> reloadSettings;
    private String scriptName;
    private List<String> argTable = List.of();
    private int argBase;
    private Path scriptDir;

    ProgramRecord(Callable<Settings> reloadSettings) {
        this.reloadSettings = reloadSettings;
    }

    /** Notes a step before it runs (kraken.loop() may be called from inside it); returns its mark. */
    int add(Step step) {
        steps.add(step);
        return steps.size() - 1;
    }

    /** Forgets a step that failed, and every one after it; workers must not replay an error. */
    void dropFrom(int mark) {
        steps.subList(mark, steps.size()).clear();
    }

    /** The arg table, from its most negative index, as text. */
    void setScript(String name, List<String> argTable, int argBase, Path scriptDir) {
        this.scriptName = name;
        this.argTable = List.copyOf(argTable);
        this.argBase = argBase;
        this.scriptDir = scriptDir;
    }

    LaunchPlan plan() {
        return new LaunchPlan(steps, scriptName, argTable, argBase, scriptDir, reloadSettings);
    }
}
