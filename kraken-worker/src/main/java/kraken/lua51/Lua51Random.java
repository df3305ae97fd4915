package kraken.lua51;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * math.random and math.randomseed over a generator whose state can be read and set, so that an
 * image of the state at kraken.loop() (kraken.image) carries it: every connection then draws the
 * numbers the script's next draw would have, as after a fork. LuaJ's own keeps a
 * java.util.Random, whose seed nothing outside it can read. The sequence is java.util.Random's
 * (the same 48-bit generator), so nothing changes for a script but that.
 */
public final class Lua51Random {
    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xBL;
    private static final long MASK = (1L << 48) - 1;

    private long seed;

    private Lua51Random(long seed) {
        setSeed(seed);
    }

    /** Replaces math.random and math.randomseed in math (a table), seeded as LuaJ's are. */
    public static void install(LuaValue math) {
        Lua51Random r = new Lua51Random(System.nanoTime() ^ 0x2545F4914F6CDD1DL);
        LuaTable t = math.checktable();
        random f = r.new random();
        t.set("random", f);
        t.set("randomseed", r.new randomseed());
    }

    /** The generator behind math.random f, or null when f is not one of ours. */
    public static Lua51Random of(LuaValue f) {
        return f instanceof random r ? r.generator() : null;
    }

    /** The generator's whole state. */
    public long state() {
        return seed;
    }

    /** Continues from a state read by state(). */
    public void restore(long state) {
        seed = state & MASK;
    }

    private void setSeed(long s) {
        seed = (s ^ MULTIPLIER) & MASK;
    }

    private int next(int bits) {
        seed = (seed * MULTIPLIER + ADDEND) & MASK;
        return (int) (seed >>> (48 - bits));
    }

    private double nextDouble() {
        return (((long) next(26) << 27) + next(27)) * 0x1.0p-53;
    }

    private int nextInt(int bound) {
        int r = next(31);
        int m = bound - 1;
        if ((bound & m) == 0) {
            return (int) ((bound * (long) r) >> 31);
        }
        for (int u = r; u - (r = u % bound) + m < 0; u = next(31)) {
            // rejection, as java.util.Random does, for an even distribution
        }
        return r;
    }

    final class random extends VarArgFunction {
        Lua51Random generator() {
            return Lua51Random.this;
        }

        @Override
        public Varargs invoke(Varargs args) {
            switch (args.narg()) {
                case 0:
                    return valueOf(nextDouble());
                case 1: {
                    int m = args.checkint(1);
                    if (m < 1) {
                        argerror(1, "interval is empty");
                    }
                    return valueOf(1 + nextInt(m));
                }
                case 2: {
                    int m = args.checkint(1);
                    int n = args.checkint(2);
                    if (n < m) {
                        argerror(2, "interval is empty");
                    }
                    long range = (long) n - m + 1;
                    return valueOf(range <= Integer.MAX_VALUE ? m + nextInt((int) range)
                            : m + (long) (nextDouble() * range));
                }
                default:
                    throw new org.luaj.vm2.LuaError("wrong number of arguments");
            }
        }
    }

    final class randomseed extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            setSeed(args.checklong(1));
            return NONE;
        }
    }
}
