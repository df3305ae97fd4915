package org.luaj.vm2;

/**
 * next() that terminates on LuaJ's weak tables. LuaJ never moves an integer key held in a weak
 * slot into a table's array part, so after the array grows such a key can lie within the array's
 * range while living in the hash part; LuaJ's next then takes it for an array index, scans the
 * hash from its start and returns the same key again, forever (pairs over a 5.1 weak table with
 * integer keys never ends). Here a key in the array's range whose array slot is empty is looked
 * up in the hash part, as any other hash key. It lives in LuaJ's package because the table's
 * parts and slots are package-private there.
 */
public final class WeakTableNext {
    private WeakTableNext() {
    }

    public static Varargs next(LuaTable t, LuaValue key) {
        if (t.m_metatable == null || !(t.m_metatable.useWeakKeys() || t.m_metatable.useWeakValues())
                || !key.isinttype()) {
            return t.next(key);
        }
        int k = key.toint();
        if (k < 1 || k > t.array.length || t.array[k - 1] != null || t.hash.length == 0) {
            return t.next(key);
        }
        int mask = t.hash.length - 1;
        int bucket = LuaTable.hashSlot(key, mask);
        boolean found = false;
        for (LuaTable.Slot s = t.hash[bucket]; s != null; s = s.rest()) {
            if (found) {
                LuaTable.StrongSlot e = s.first();
                if (e != null) {
                    return e.toVarargs();
                }
            } else if (s.keyeq(key)) {
                found = true;
            }
        }
        if (!found) {
            return t.next(key);
        }
        for (int i = bucket + 1; i < t.hash.length; i++) {
            for (LuaTable.Slot s = t.hash[i]; s != null; s = s.rest()) {
                LuaTable.StrongSlot e = s.first();
                if (e != null) {
                    return e.toVarargs();
                }
            }
        }
        return LuaValue.NIL;
    }
}
