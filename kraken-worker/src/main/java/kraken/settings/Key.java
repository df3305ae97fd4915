package kraken.settings;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.luaj.vm2.LuaValue;

/**
 * One configuration key, everything about it: what a value must be (said in words for the error
 * message) and the test of a value on its own; how a valid value lands in {@link Settings}; how
 * the script reads it back on the kraken table; how it travels to a worker in HELLO; and whether
 * a HUP takes the re-read value. Rules that involve two keys (spare <= max, a root user needs
 * allow_root) are checked by kraken.config.ConfigTable. Every key is declared in {@link Keys}.
 *
 * @param name dotted below the kraken table: "workers.spare"
 * @param requirement completes "kraken.workers.spare must be ...": "an integer from 0 to kraken.workers.max"
 * @param accepts whether a non-nil value is acceptable on its own; nil always means the default
 * @param apply stores a valid value
 * @param read the value as the configuration file writes it, for the script (nil when unset)
 * @param encode writes the value into the worker's settings map (nothing when unset)
 * @param decode reads it back from that map (the default when absent)
 * @param reload copies the value from freshly re-read settings into the ones in force; null when
 *        a HUP leaves the key as the master started
 */
public record Key(String name, String requirement, Predicate<LuaValue> accepts, BiConsumer<Settings, LuaValue> apply,
                  Function<Settings, LuaValue> read, BiConsumer<Settings, Map<String, String>> encode,
                  BiConsumer<Map<String, String>, Settings> decode, BiConsumer<Settings, Settings> reload) {

    /** "kraken.workers.spare must be an integer from 0 to kraken.workers.max (got "x")". */
    public String complaint(LuaValue got) {
        return "kraken." + name + " must be " + requirement + " (got " + Describe.value(got) + ")";
    }

    public boolean reloadable() {
        return reload != null;
    }
}
