package kraken.lua51;

import java.io.IOException;
import java.io.InputStream;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.Lua51LexState;

/**
 * The compiler a state loads text chunks with: LuaJ's, with lua5.1's syntax error messages
 * ("[string \"x = \"]:1: unexpected symbol near '<eof>'", "'=' expected near 'b'").
 */
final class Lua51Compiler implements Globals.Compiler {

    static void install(Globals globals) {
        globals.compiler = new Lua51Compiler();
    }

    @Override
    public Prototype compile(InputStream stream, String chunkname) throws IOException {
        try {
            return Lua51LexState.parse(stream, chunkname);
        } catch (Lua51LexState.Failure f) {
            String where = ErrorMessages.chunkId((org.luaj.vm2.LuaString) LuaValue.valueOf(chunkname), 80) + ":" + f.line + ": ";
            throw new LuaError(where + f.detail + (f.near == null ? "" : " near '" + f.near + "'"), 0);
        }
    }
}
