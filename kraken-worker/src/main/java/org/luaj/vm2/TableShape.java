package org.luaj.vm2;

/**
 * The sizes of a table's array and hash parts, which LuaJ keeps protected. A copy of a table
 * made with the same sizes gives the length operator the same border as the original whatever
 * holes it has. It lives in LuaJ's package for that access alone (and
 * the weak modes, for tests).
 */
public final class TableShape {
    private TableShape() {}

    /** Whether t holds its keys and values weakly, as its metatable's __mode made it when set. */
    public static boolean[] weakness(LuaTable t) {
        Metatable m = t.m_metatable;
        return new boolean[] {m != null && m.useWeakKeys(), m != null && m.useWeakValues()};
    }

    /** Slots of the array part (not the border). */
    public static int arrayLength(LuaTable t) {
        return t.array.length;
    }
}
