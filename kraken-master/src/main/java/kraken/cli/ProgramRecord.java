package kraken.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import kraken.settings.Settings;
import kraken.master.LaunchPlan;
import kraken.protocol.Protocol.Step;

/**
 * What the program has run so far (the steps: -e, -l, the script, interactive lines; the arg
 * table), the script's folder, and how to re-read the configuration: what kraken.loop() hands
 * the master's loop beside the image.
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

    /** The steps run so far (-e, -l, the script, interactive lines). */
    List<Step> steps() {
        return List.copyOf(steps);
    }

    String scriptName() {
        return scriptName;
    }

    List<String> argTable() {
        return argTable;
    }

    int argBase() {
        return argBase;
    }

    /** What workers start from: the image of the state at kraken.loop(). */
    LaunchPlan plan(byte[] image) {
        return new LaunchPlan(image, scriptDir, reloadSettings);
    }
}
