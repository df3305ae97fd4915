package kraken.lua;

import java.io.IOException;
import kraken.posix.Fd;
import kraken.posix.Posix;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/** TEMPORARY stand-in (lead's branch) until the kraken-lib branch lands the real socket objects. */
public final class LuaSocket {
    private LuaSocket() {}

    public static LuaValue wrap(Fd fd, Settings settings) {
        LuaTable mt = new LuaTable();
        LuaTable methods = new LuaTable();
        mt.set("__index", methods);
        StringBuilder pending = new StringBuilder();
        methods.set("rawsend", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                byte[] b = a.checkstring(2).m_bytes;
                LuaString s = a.checkstring(2);
                try {
                    return valueOf(Posix.send(fd.get(), s.m_bytes, s.m_offset, s.m_length));
                } catch (IOException e) {
                    return varargsOf(NIL, valueOf(e.getMessage()));
                }
            }
        });
        methods.set("send", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                byte[] b = (a.checkjstring(2) + "\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                try {
                    return valueOf(Posix.send(fd.get(), b, 0, b.length));
                } catch (IOException e) {
                    return varargsOf(NIL, valueOf(e.getMessage()));
                }
            }
        });
        methods.set("receive", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                byte[] one = new byte[1];
                StringBuilder line = new StringBuilder();
                try {
                    while (true) {
                        int n = Posix.recv(fd.get(), one, 0, 1);
                        if (n == 0) {
                            return varargsOf(NIL, valueOf("closed"));
                        }
                        if (one[0] == '\n') {
                            return valueOf(line.toString().replaceAll("\r$", ""));
                        }
                        line.append((char) (one[0] & 0xff));
                    }
                } catch (IOException e) {
                    return varargsOf(NIL, valueOf(e.getMessage()));
                }
            }
        });
        methods.set("close", new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs a) {
                fd.close();
                return TRUE;
            }
        });
        return new LuaUserdata(fd, mt);
    }
}
