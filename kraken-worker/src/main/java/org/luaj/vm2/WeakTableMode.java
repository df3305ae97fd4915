package org.luaj.vm2;

/**
 * A weak table's mode that finds integer keys LuaJ left in the hash part. LuaJ never moves an
 * integer key held in a weak slot into the array part, even when the array grows over it; its
 * reads of such a key then look in the array only and answer nil (`t[3]` is nil while pairs
 * shows key 3). Here a read that finds the array slot empty looks in the hash part too
 * (assigning such a key still writes the array slot; see notes/compat.md). One per weak
 * table, set by {@link #install}; it lives in LuaJ's package because the table's parts are
 * package-private there.
 */
public final class WeakTableMode extends WeakTable {
    private final LuaTable table;

    private WeakTableMode(WeakTable mode, LuaTable table) {
        super(mode.useWeakKeys(), mode.useWeakValues(), mode.toLuaValue());
        this.table = table;
    }

    /** Gives t this mode if its metatable made it weak. */
    public static void install(LuaTable t) {
        if (t.m_metatable instanceof WeakTable w && !(w instanceof WeakTableMode)) {
            t.m_metatable = new WeakTableMode(w, t);
        }
    }

    @Override
    public LuaValue arrayget(LuaValue[] array, int index) {
        LuaValue v = super.arrayget(array, index);
        if (v != null || array != table.array || table.hash.length == 0) {
            return v;
        }
        // Read only: this runs inside LuaJ's rehash too, where moving entries would corrupt it.
        LuaValue found = table.hashget(LuaInteger.valueOf(index + 1));
        return found.isnil() ? null : found;
    }
}
