package kraken.settings;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;
import org.luaj.vm2.LuaValue;

/**
 * How the value of a one-field key moves: from the configuration's Lua value into its
 * {@link Settings} field, back to the script as a Lua value, and to a worker as text.
 */
record Codec<T>(Function<LuaValue, T> fromLua, Function<T, LuaValue> toLua, Function<T, String> toWire,
                Function<String, T> fromWire) {
    static final Codec<Integer> INT = new Codec<>(LuaValue::toint, i -> LuaValue.valueOf(i.intValue()),
            i -> Integer.toString(i), Integer::valueOf);
    static final Codec<Long> LONG = new Codec<>(LuaValue::tolong, l -> LuaValue.valueOf(l.doubleValue()),
            l -> Long.toString(l), Long::valueOf);
    static final Codec<Double> DOUBLE = new Codec<>(LuaValue::todouble, d -> LuaValue.valueOf(d.doubleValue()),
            d -> Double.toString(d), Double::valueOf);
    static final Codec<Boolean> BOOLEAN = new Codec<>(LuaValue::toboolean, b -> LuaValue.valueOf(b.booleanValue()),
            b -> Boolean.toString(b), Boolean::valueOf);
    static final Codec<String> STRING = new Codec<>(LuaValue::tojstring, LuaValue::valueOf, s -> s, s -> s);
    /** A heap size: "64M" is kept as "64m", the JVM's own spelling. */
    static final Codec<String> HEAP_SIZE = new Codec<>(v -> v.tojstring().toLowerCase(Locale.ROOT), LuaValue::valueOf,
            s -> s, s -> s);
    /** Any bytes, one char each (ISO-8859-1), so that every byte value survives to the socket. */
    static final Codec<String> BYTES = new Codec<>(Rules::latin1,
            s -> LuaValue.valueOf(s.getBytes(StandardCharsets.ISO_8859_1)), s -> s, s -> s);
}
