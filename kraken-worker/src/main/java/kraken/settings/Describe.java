package kraken.settings;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/** Shows a Lua value in an error message the way a Lua programmer would write it. */
public final class Describe {
    private Describe() {}

    public static String value(LuaValue v) {
        if (v.type() == LuaValue.TSTRING) {
            return quoted(v.checkstring());
        }
        if (v.isnumber() || v.isboolean() || v.isnil()) {
            return v.tojstring();
        }
        if (v.istable() && isShortList(v)) {
            StringBuilder b = new StringBuilder("{");
            for (int i = 1; i <= v.rawlen(); i++) {
                b.append(i > 1 ? ", " : "").append(value(v.rawget(i)));
            }
            return b.append('}').toString();
        }
        if (v.istable() && isShortRecord(v)) {
            java.util.TreeMap<String, LuaValue> fields = new java.util.TreeMap<>();
            for (LuaValue k = v.next(LuaValue.NIL).arg1(); !k.isnil(); k = v.next(k).arg1()) {
                fields.put(k.tojstring(), v.rawget(k));
            }
            StringBuilder b = new StringBuilder("{");
            fields.forEach((k, x) -> b.append(b.length() > 1 ? ", " : "").append(k).append(" = ").append(value(x)));
            return b.append('}').toString();
        }
        return "a " + v.typename();
    }

    // {500, 50} is shown as written; anything bigger or nested is "a table".
    private static boolean isShortList(LuaValue t) {
        int n = t.rawlen();
        int count = 0;
        for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
            count++;
        }
        if (n == 0 || n > 4 || count != n) {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            if (t.rawget(i).istable() || t.rawget(i).isfunction()) {
                return false;
            }
        }
        return true;
    }

    // {host = "x", port = 1} is shown as written (fields in name order): up to 4 named scalar fields.
    private static boolean isShortRecord(LuaValue t) {
        int count = 0;
        for (LuaValue k = t.next(LuaValue.NIL).arg1(); !k.isnil(); k = t.next(k).arg1()) {
            LuaValue x = t.rawget(k);
            if (++count > 4 || k.type() != LuaValue.TSTRING || !k.tojstring().matches("[A-Za-z_][A-Za-z0-9_]*")
                    || x.istable() || x.isfunction()) {
                return false;
            }
        }
        return count > 0;
    }

    // Like string.format("%q"), on one line: control bytes as decimal escapes.
    private static String quoted(LuaString s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            int c = s.luaByte(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append((char) c);
            } else if (c < 32 || c == 127) {
                b.append('\\').append(c);
            } else {
                b.append((char) c);
            }
        }
        return b.append('"').toString();
    }
}
