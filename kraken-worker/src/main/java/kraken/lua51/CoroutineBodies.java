package kraken.lua51;

import org.luaj.vm2.LuaThread;
import org.luaj.vm2.LuaValue;

/**
 * The function a coroutine runs, as the script gave it to coroutine.create: this layer wraps it
 * (see Lua51Coroutines.Body), and an image of the state (kraken.image) copies the script's
 * function, to be wrapped again by the copy's own coroutine.create.
 */
public final class CoroutineBodies {
    private CoroutineBodies() {}

    public static LuaValue functionOf(LuaThread t) {
        LuaValue f = t.state.function;
        return f instanceof Lua51Coroutines.Body b ? b.function() : f;
    }
}
