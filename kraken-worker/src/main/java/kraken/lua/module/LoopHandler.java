package kraken.lua.module;

import org.luaj.vm2.Varargs;

/**
 * What kraken.loop() does in this process. In the master it binds and dispatches until a
 * graceful stop; in a worker it ends the script's run at the point where the state is ready
 * to serve; under --check it prints what was registered.
 */
@FunctionalInterface
public interface LoopHandler {
    /** Returns loop()'s results: {@code true}, or {@code nil, message}. */
    Varargs loop(Registry registry);
}
