package org.luaj.vm2;

/**
 * Ends a suspended LuaJ coroutine's Java thread now. LuaJ runs each coroutine on a thread of its
 * own that, while suspended, wakes every few seconds and ends itself once its LuaThread has been
 * collected; a coroutine whose own stack holds its LuaThread (coroutine.running() in a local) is
 * never collected, so its thread would live as long as the worker. Clearing the reference LuaJ
 * checks, and waking the thread, makes it end at once: for coroutines that were collected
 * already, and for every coroutine of a connection that is over. (In LuaJ's package because
 * the reference is package-private.)
 */
public final class CoroutineEnd {
    private CoroutineEnd() {}

    public static void end(LuaThread.State s) {
        synchronized (s) {
            s.lua_thread.clear();
            s.notifyAll();
        }
    }

    public static boolean isDead(LuaThread.State s) {
        return s.status == LuaThread.STATUS_DEAD;
    }
}
