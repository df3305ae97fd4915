package kraken.lua51;

import java.lang.reflect.Field;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * The length of a table as 5.1's luaH_getn finds it, for the library functions that take it
 * (unpack, table.getn, table.concat, table.foreachi): when the array part's last slot holds a
 * value, that is the border. LuaJ searches from slot 1 instead, so {nil, "x"} (what {f()} builds
 * from f returning nil, "x") has length 2 in 5.1 and 0 in LuaJ, and unpack(t) loses the values.
 * The # operator is the VM's, not this.
 */
final class Lua51Length {
    private Lua51Length() {}

    private static final Field ARRAY = arrayField();

    private static Field arrayField() {
        try {
            Field f = LuaTable.class.getDeclaredField("array");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // then LuaJ's own length, which differs only for tables with holes
        }
    }

    private static boolean isNil(LuaValue v) {
        return v == null || v.isnil();
    }

    static int of(LuaTable t) {
        LuaValue[] array;
        try {
            array = ARRAY == null ? null : (LuaValue[]) ARRAY.get(t);
        } catch (IllegalAccessException e) {
            array = null;
        }
        if (array == null || array.length == 0 || !isNil(array[array.length - 1]) && !isNil(t.rawget(array.length + 1))) {
            return t.rawlen();
        }
        int a = array.length;
        if (!isNil(array[a - 1])) {
            return a;
        }
        // A border inside the array part: binary search as luaH_getn does.
        int i = 0;
        int j = a;
        while (j - i > 1) {
            int m = (i + j) / 2;
            if (isNil(array[m - 1])) {
                j = m;
            } else {
                i = m;
            }
        }
        return i;
    }
}
