package kraken.master;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import kraken.settings.Settings;
import kraken.protocol.Protocol;

/**
 * What a worker starts from: the image of the script's state at kraken.loop() (kraken.image;
 * the master never parses it, it passes it to every worker in a sealed memfd), the script's
 * folder, and how to re-read the configuration on HUP.
 *
 * @param image the bytes ImageWriter.capture made
 * @param scriptDir the script's folder (the sandbox's require path); null for -e or stdin programs
 * @param reloadSettings re-reads the configuration file (SIGHUP); throws with a clear message when it is bad
 */
public record LaunchPlan(byte[] image, Path scriptDir, Callable<Settings> reloadSettings) {}
