package kraken.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

@Tag("unit")
@Timeout(10)
class LuaErrorTextTest {
    @Test
    void luajPositionsBecomeLuaPositions() {
        assertEquals("t.lua:3: boom", LuaErrorText.clean("@t.lua:3 boom"));
        assertEquals("stdin:1: boom", LuaErrorText.clean("=stdin:1 boom"));
        assertEquals("(command line):1: x y", LuaErrorText.clean("=(command line):1 x y"));
        assertEquals("t.lua:3: already lua", LuaErrorText.clean("t.lua:3: already lua"));
    }

    @Test
    void errorValues() {
        assertEquals("(error object is not a string)", LuaErrorText.of(new LuaError(new LuaTable())));
        assertEquals("plain", LuaErrorText.of(new LuaError(LuaValue.valueOf("plain"))));
        assertNull(LuaErrorText.of(new LuaError((String) null)));
    }

    @Test
    void tracebackIsSeparable() {
        assertEquals("m", LuaErrorText.withoutTraceback("m\nstack traceback:\n\tx"));
        assertEquals("m", LuaErrorText.withoutTraceback("m"));
    }
}
