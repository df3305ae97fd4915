package kraken.lua51;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.luaj.vm2.CoroutineEnd;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaThread;

/**
 * kraken.limits.coroutines for one Lua state (one connection's, in "state" isolation):
 * coroutines alive at once. Each LuaJ coroutine is a Java thread once resumed, so a coroutine
 * bomb is a thread bomb; past the limit coroutine.create and coroutine.wrap raise
 * "too many coroutines".
 *
 * <p>A coroutine is alive until it is dead or collected. Its slot is found free when the table
 * is full: finished ones are dropped, collected ones have their thread ended at once (see
 * {@link CoroutineEnd}), and if that frees nothing a full collection is tried before the
 * error, so garbage never counts against a script. {@link #endAll} ends every thread of the
 * state when its connection is over.
 */
public final class CoroutineLimit {
    private record Entry(WeakReference<LuaThread> thread, LuaThread.State state) {}

    private final int max;
    private final List<Entry> live = new ArrayList<>();

    public CoroutineLimit(int max) {
        this.max = max;
    }

    /** Raises "too many coroutines" unless one more may be created. */
    void reserve() {
        if (live.size() < max) {
            return;
        }
        purge();
        if (live.size() >= max) {
            System.gc();
            purge();
        }
        if (live.size() >= max) {
            throw new LuaError("too many coroutines (kraken.limits.coroutines is " + max + ")");
        }
    }

    void add(LuaThread t) {
        live.add(new Entry(new WeakReference<>(t), t.state));
    }

    private void purge() {
        for (Iterator<Entry> i = live.iterator(); i.hasNext(); ) {
            Entry e = i.next();
            if (CoroutineEnd.isDead(e.state())) {
                i.remove();
            } else if (e.thread().get() == null) {
                CoroutineEnd.end(e.state());
                i.remove();
            }
        }
    }

    /** Coroutines counted as alive now (for tests). */
    public int alive() {
        purge();
        return live.size();
    }

    /** Ends the thread of every coroutine of this state: its connection is over. */
    public void endAll() {
        for (Entry e : live) {
            CoroutineEnd.end(e.state());
        }
        live.clear();
    }
}
