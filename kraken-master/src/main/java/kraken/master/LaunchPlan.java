package kraken.master;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import kraken.settings.Settings;
import kraken.protocol.Protocol;

/**
 * How to rebuild, in a worker, the state the master reached at kraken.loop(): the steps the
 * command ran (-e, -l, the script), the arg table, and how to re-read the configuration on HUP.
 *
 * @param argTable arg[argBase], arg[argBase + 1], ... : interpreter and options, script, arguments
 * @param scriptDir the script's folder (the sandbox's require path); null for -e or stdin programs
 * @param reloadSettings re-reads the configuration file (SIGHUP); throws with a clear message when it is bad
 */
public record LaunchPlan(List<Protocol.Step> program, String scriptName, List<String> argTable, int argBase,
                         Path scriptDir, Callable<Settings> reloadSettings) {
    public LaunchPlan {
        program = List.copyOf(program);
        argTable = List.copyOf(argTable);
    }
}
