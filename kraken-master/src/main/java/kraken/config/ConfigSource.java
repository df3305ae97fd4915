package kraken.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which configuration the program uses: a file, or the built-in default (which equals
 * conf/kraken.lua).
 *
 * @param file null for the built-in default
 */
public record ConfigSource(Path file) {
    public static final Path SYSTEM_FILE = Path.of("/etc/kraken.lua");

    public static ConfigSource builtIn() {
        return new ConfigSource(null);
    }

    public boolean isBuiltIn() {
        return file == null;
    }

    public String describe() {
        return file == null ? "the built-in default configuration" : file.toString();
    }

    /**
     * --config wins over KRAKEN_CONFIG; an empty value of either means the built-in default. A
     * file that either names must exist; without either, systemFile is used when it exists.
     *
     * @param option the value of --config, null when not given
     * @param env the value of KRAKEN_CONFIG, null when unset
     */
    public static ConfigSource resolve(String option, String env, Path systemFile) throws ConfigException {
        String named = option != null ? option : env;
        if (named == null) {
            return Files.exists(systemFile) ? new ConfigSource(systemFile) : builtIn();
        }
        if (named.isEmpty()) {
            return builtIn();
        }
        Path p = Path.of(named);
        if (!Files.exists(p)) {
            throw new ConfigException("cannot open " + named + " (named by " + (option != null ? "--config" : "KRAKEN_CONFIG")
                    + "): No such file or directory");
        }
        return new ConfigSource(p);
    }
}
