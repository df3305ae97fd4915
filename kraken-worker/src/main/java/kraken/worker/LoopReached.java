package kraken.worker;

/**
 * Thrown by kraken.loop() in a worker to end the script's run at the point where its state is
 * ready to serve. It is an Error because LuaJ's pcall catches LuaError and Exception but not
 * Error: a script cannot swallow it.
 */
final class LoopReached extends Error {
    private static final long serialVersionUID = 1L;

    LoopReached() {
        super("kraken.loop() reached", null, false, false);
    }
}
