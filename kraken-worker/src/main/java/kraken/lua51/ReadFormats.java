package kraken.lua51;

import java.io.IOException;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/** read's formats and lines' iterator over a {@link LuaFile}, as liolib.c's g_read and io_readline. */
final class ReadFormats {
    private ReadFormats() {}

    /** g_read: "*n", "*l", "*a" and counts; stops at the first that fails (its result is nil). */
    static Varargs read(LuaFile f, Varargs formats) throws IOException {
        int n = formats.narg();
        if (n == 0) {
            byte[] line = f.readLine();
            return line == null ? LuaValue.NIL : Lua51Strings.valueOf(line);
        }
        LuaValue[] results = new LuaValue[n];
        int i = 0;
        for (; i < n; i++) {
            LuaValue fmt = formats.arg(i + 1);
            LuaValue r;
            if (fmt.type() == LuaValue.TNUMBER) {
                long count = (long) fmt.todouble();
                byte[] b = count <= 0 ? (f.atEnd() ? null : new byte[0]) : f.readChars(count);
                r = b == null ? LuaValue.NIL : Lua51Strings.valueOf(b);
            } else {
                byte[] p = fmt.type() == LuaValue.TSTRING ? Lua51Strings.bytes(fmt) : null;
                if (p == null || p.length == 0 || p[0] != '*') {
                    throw Arguments.error(i + 1, "read", "invalid option");
                }
                int kind = p.length > 1 ? p[1] : 0;
                if (kind == 'n') {
                    Double d = f.readNumber();
                    r = d == null ? LuaValue.NIL : LuaValue.valueOf(d);
                } else if (kind == 'l') {
                    byte[] line = f.readLine();
                    r = line == null ? LuaValue.NIL : Lua51Strings.valueOf(line);
                } else if (kind == 'a') {
                    r = Lua51Strings.valueOf(f.readAll());
                } else {
                    throw Arguments.error(i + 1, "read", "invalid format");
                }
            }
            results[i] = r;
            if (r.isnil()) {
                i++;
                break;
            }
        }
        return LuaValue.varargsOf(results, 0, i);
    }

    static LuaValue lines(LuaFile f, boolean closeAtEnd) {
        return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs args) {
                if (f.isClosed()) {
                    throw new LuaError("file is already closed");
                }
                try {
                    byte[] line = f.readLine();
                    if (line != null) {
                        return Lua51Strings.valueOf(line);
                    }
                    if (closeAtEnd) {
                        f.close();
                    }
                    return LuaValue.NIL;
                } catch (IOException e) {
                    throw new LuaError(Errno.text(e));
                }
            }
        };
    }
}
