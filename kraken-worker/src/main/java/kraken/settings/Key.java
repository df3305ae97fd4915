package kraken.settings;

import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.luaj.vm2.LuaValue;

/**
 * One configuration key: what a value must be (said in words for the error message), the test
 * of a value on its own, and how a valid value lands in {@link Settings}. Rules that involve two
 * keys (spare <= max, a root user needs allow_root) are checked by {@link ConfigTable#settle}.
 *
 * @param name dotted below the kraken table: "workers.spare"
 * @param requirement completes "kraken.workers.spare must be ...": "an integer from 0 to kraken.workers.max"
 * @param accepts whether a non-nil value is acceptable on its own; nil always means the default
 */
public record Key(String name, String requirement, Predicate<LuaValue> accepts, BiConsumer<Settings, LuaValue> apply) {

    /** "kraken.workers.spare must be an integer from 0 to kraken.workers.max (got "x")". */
    public String complaint(LuaValue got) {
        return "kraken." + name + " must be " + requirement + " (got " + Describe.value(got) + ")";
    }
}
