package kraken.lua51;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.CallTracker;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * 5.1's incremental collector as a script observes it, over the JVM's collector: collectgarbage,
 * gcinfo and newproxy with __gc.
 *
 * The JVM decides when memory is freed, so the state keeps 5.1's accounting as a model:
 * "count" is the live estimate left by the last cycle plus what this state's thread allocated
 * since (the JVM's per-thread allocation counter), so it grows with allocation. A cycle ends
 * automatically when the count passes the pause (200 %: twice the estimate, and 1 MB at least) or after enough
 * "step" work (stepmul % of the step size per step, 5.1's units); "collect" and the step that
 * ends a cycle run a real full collection, which clears weak entries, then measure what is
 * still live. A userdata made by newproxy with a metatable is finalized by the JVM once
 * unreachable; its __gc runs on the state's own thread, at the next cycle's end, in reverse
 * order of creation as in 5.1. Nothing runs per table or per object: no thread, no timer.
 */
final class Lua51Collector {
    /** What 5.1 reports for a fresh state with its libraries, in KB. */
    private static final double BASE_KB = 24;
    private static final LuaValue GC = LuaValue.valueOf("__gc");
    /**
     * Allocation between automatic cycles, at least: 5.1's pause alone would run one every few
     * dozen KB in a small state, and here a cycle is a full collection of the JVM's heap.
     */
    private static final double AUTO_CYCLE_MIN_KB = 1024;
    private boolean collecting;

    /** Per thread, its allocation counter when last looked at (made on first use: most states never ask). */
    private Map<Thread, long[]> allocatedSeen;
    /** Proxies the JVM found unreachable, waiting for their __gc on the state's thread. */
    private final ConcurrentLinkedQueue<Proxy> finalized = new ConcurrentLinkedQueue<>();
    private double estimateKb = BASE_KB;
    private double debtKb;
    private double cycleWorkLeftKb = -1;
    /** Heap in use after the previous full collection, -1 before the first. */
    private long lastUsed = -1;
    private long created;
    private boolean stopped;
    /**
     * Proxies made while the collector is stopped: 5.1 frees nothing then, so a weak table keeps
     * them; the JVM's collector cannot be stopped, so they are held until it restarts or collects.
     */
    private final List<Proxy> heldWhileStopped = new ArrayList<>(0);
    private int pause = 200;
    private int stepMul = 200;

    private final CallTracker tracker;

    private Lua51Collector(CallTracker tracker) {
        this.tracker = tracker;
    }

    static void install(Globals globals) {
        Lua51Collector c = new Lua51Collector(globals.debuglib instanceof CallTracker t ? t : null);
        globals.set("collectgarbage", c.new collectgarbage());
        globals.set("gcinfo", c.new gcinfo());
        globals.set("newproxy", c.new newproxy());
    }

    /** The count in KB, after accounting for what was allocated since the last look. */
    double countKb() {
        account();
        return estimateKb + debtKb;
    }

    private void account() {
        long now = Allocation.currentThread();
        long[] seen = seen();
        if (now > seen[0]) {
            debtKb += (now - seen[0]) / 1024.0;
        }
        seen[0] = now;
        if (!stopped && !collecting && debtKb >= Math.max(estimateKb * (pause - 100) / 100.0, AUTO_CYCLE_MIN_KB)) {
            // A cycle would have run by now: collect for real, so the count keeps what is live.
            collect();
        }
    }

    /**
     * A full cycle: the JVM's full collection, finalizers, then the live estimate: the previous
     * one plus what the JVM holds beyond what it held after the previous full collection, never
     * more than the count before (a collection frees, it does not allocate).
     */
    void collect() {
        collecting = true;
        try {
            collectNow();
        } finally {
            collecting = false;
        }
    }

    private void collectNow() {
        // The allocation counter is read only once the script asked for the count.
        double before = allocatedSeen == null ? Double.MAX_VALUE : countKb();
        heldWhileStopped.clear();  // a full collection frees them, stopped or not
        if (tracker != null) {
            tracker.clearDeadRegisters();
        }
        Reached reached = new Reached();
        new Sentinel(reached);  // unreachable at once: finalized with what this collection finds
        System.gc();
        // Measured before finalization, which starts a thread of its own whose objects are not the script's.
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        waitForFinalization(reached);
        if (created > 0) {
            // Proxies may still be on their way from the reference handler: settle until none come.
            for (int i = 0, n = -1; i < 10 && finalized.size() != n; i++) {
                n = finalized.size();
                waitForFinalization(new Reached(), 2);
            }
        }
        double grown = lastUsed < 0 ? 0 : (used - lastUsed) / 1024.0;
        lastUsed = used;
        estimateKb = Math.max(BASE_KB, Math.min(before, estimateKb + grown));
        if (allocatedSeen != null) {
            seen()[0] = Allocation.currentThread();
        }
        debtKb = 0;
        cycleWorkLeftKb = -1;
        runFinalizers();
    }

    private long[] seen() {
        Thread t = Thread.currentThread();
        if (allocatedSeen == null) {
            allocatedSeen = new WeakHashMap<>();
        }
        long[] s = allocatedSeen.get(t);
        if (s == null) {
            s = new long[] {Allocation.currentThread()};
            allocatedSeen.put(t, s);
        }
        return s;
    }

    /**
     * Waits (at most 200 ms) until the JVM's finalizer thread reached the sentinel made before the
     * last collection, then runs what is still queued: the reference handler hands finalizable
     * objects over one by one, so runFinalization alone may return before a proxy's turn.
     */
    @SuppressWarnings("removal")
    private static void waitForFinalization(Reached lock) {
        waitForFinalization(lock, 200);
    }

    private static void waitForFinalization(Reached lock, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (lock) {
            long left;
            while (!lock.reached && (left = deadline - System.nanoTime()) > 0) {
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        System.runFinalization();
    }

    /** Finalized with the collection it was made before; only its lock stays reachable. */
    private static final class Sentinel {
        final Reached lock;

        Sentinel(Reached lock) {
            this.lock = lock;
        }

        @Override
        @SuppressWarnings({"deprecation", "removal"})
        protected void finalize() {
            synchronized (lock) {
                lock.reached = true;
                lock.notifyAll();
            }
        }
    }

    private static final class Reached {
        boolean reached;
    }

    /** 5.1's step: size KB of work (0: one basic step) times stepmul; true when the cycle ends. */
    boolean step(int sizeKb) {
        double count = countKb();
        if (cycleWorkLeftKb < 0) {
            cycleWorkLeftKb = count;
        }
        cycleWorkLeftKb -= (Math.max(0, sizeKb) + 1) * stepMul / 100.0;
        if (cycleWorkLeftKb > 0) {
            return false;
        }
        collect();
        return true;
    }

    /** Calls the __gc of each proxy the JVM finalized, newest first; an error propagates. */
    private void runFinalizers() {
        if (finalized.isEmpty()) {
            return;
        }
        List<Proxy> due = new ArrayList<>();
        for (Proxy p; (p = finalized.poll()) != null; ) {
            due.add(p);
        }
        due.sort((a, b) -> Long.compare(b.serial, a.serial));
        // The JVM keeps alive for one more collection what a weak reference reachable only from
        // a finalized object points to; 5.1 clears such weak entries before __gc runs.
        System.gc();
        LuaError failure = null;
        for (Proxy p : due) {
            LuaValue mt = p.getmetatable();
            LuaValue gc = mt == null ? LuaValue.NIL : mt.rawget(GC);
            if (gc.isfunction()) {
                try {
                    gc.call(p);
                } catch (LuaError e) {
                    failure = failure == null ? e : failure;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A userdata made by newproxy with a metatable: the JVM tells the state when it is unreachable. */
    static final class Proxy extends LuaUserdata {
        private final Lua51Collector owner;
        final long serial;

        Proxy(Lua51Collector owner, LuaValue metatable) {
            super(new Marker(), metatable);
            this.owner = owner;
            this.serial = owner.created++;
        }

        @Override
        public String tojstring() {
            return "userdata: 0x" + Integer.toHexString(System.identityHashCode(m_instance));
        }

        @Override
        @SuppressWarnings({"deprecation", "removal"})
        protected void finalize() {
            // On the JVM's finalizer thread: only hand the object to the state, which calls __gc.
            owner.finalized.add(this);
        }
    }

    /** What marks a userdata as made by newproxy. */
    static final class Marker {
    }

    final class collectgarbage extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            String opt = args.isnil(1) ? "collect" : args.checkjstring(1);
            int arg = args.optint(2, 0);
            switch (opt) {
                case "collect" -> {
                    collect();
                    return ZERO;
                }
                case "stop", "restart" -> {
                    account();
                    stopped = opt.equals("stop");
                    if (!stopped) {
                        heldWhileStopped.clear();
                    }
                    return ZERO;
                }
                case "count" -> {
                    return valueOf(countKb());
                }
                case "step" -> {
                    return valueOf(step(arg));
                }
                case "setpause" -> {
                    int old = pause;
                    pause = arg;
                    return valueOf(old);
                }
                case "setstepmul" -> {
                    int old = stepMul;
                    stepMul = arg;
                    return valueOf(old);
                }
                default -> throw Arguments.error(1, "collectgarbage", "invalid option '" + opt + "'");
            }
        }
    }

    final class gcinfo extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            return valueOf((int) countKb());
        }
    }

    private Proxy held(Proxy p) {
        if (stopped) {
            heldWhileStopped.add(p);
        }
        return p;
    }

    /** newproxy([true | proxy]): an empty userdata, with a new metatable or another proxy's. */
    final class newproxy extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue a = args.arg1();
            if (a.type() == TBOOLEAN && a.toboolean()) {
                return held(new Proxy(Lua51Collector.this, new LuaTable()));
            }
            if (a.type() == TUSERDATA && a.touserdata() instanceof Marker) {
                LuaValue mt = a.getmetatable();
                return mt == null ? new LuaUserdata(new Marker()) : held(new Proxy(Lua51Collector.this, mt));
            }
            if (a.toboolean()) {
                throw Arguments.error(1, "newproxy", "boolean or proxy expected");
            }
            return new LuaUserdata(new Marker());
        }
    }
}
