package kraken.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import kraken.lua.runtime.LuaRuntime;
import kraken.lua.module.Registry;
import kraken.posix.Privileges;
import kraken.settings.Settings;
import kraken.lua.runtime.SharedMetatables;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.DebugLib;

/**
 * Runs the configuration file (trusted Lua, docs/configuration.md) in a Lua state of its own, before the
 * script's state exists: the script's state depends on it (the sandbox flag). The file sets fields
 * of the kraken table; what it leaves alone keeps the default.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static Settings load(ConfigSource source) throws ConfigException {
        return withDefaultUser(source.isBuiltIn() ? new Settings() : load(source.file()));
    }

    /**
     * docs/configuration.md: kraken.user is "nobody" when the master is root and the configuration names
     * no one (a uid range names users of its own), and the script reads that default too. It is settled here, in the master, because a
     * worker reads the value after it has dropped root and receives it with the other settings.
     */
    static Settings withDefaultUser(Settings s) {
        if (s.user == null && s.userFrom == null && Privileges.geteuid() == 0) {
            s.user = "nobody";
            s.userDefaulted = true;
        }
        return s;
    }

    /**
     * LuaJ keeps the metatables of strings, numbers and the like in static fields, and a new
     * state replaces them. On HUP the configuration is read again while the script's state
     * lives on, waiting in kraken.loop(): it must get its own metatables back.
     */
    public static Settings load(Path file) throws ConfigException {
        SharedMetatables shared = SharedMetatables.save();
        try {
            return withDefaultUser(run(file));
        } finally {
            shared.restore();
        }
    }

    private static Settings run(Path file) throws ConfigException {
        byte[] code;
        try {
            code = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException("cannot open " + file + ": " + IoErrors.reason(e));
        }
        Path dir = file.toAbsolutePath().getParent();
        Globals g = LuaRuntime.create(new Settings(), new Registry(),
                r -> LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("kraken.loop() is not for the configuration file")),
                dir);
        // The debug library tells where an assignment happens. This state only runs trusted code once.
        LuaValue getinfo = g.load(new DebugLib()).get("getinfo");
        ConfigTable table = new ConfigTable(() -> position(getinfo));
        g.set("kraken", table.root());
        g.get("package").get("loaded").set("kraken", table.root());
        String name = file.toString();
        try {
            g.load(new ByteArrayInputStream(code), "@" + name, "t", g).call();
            if (g.rawget("kraken") != table.root()) {
                throw new ConfigException(name + ": the configuration replaced the kraken table;"
                        + " it should set its fields (kraken.isolation = \"state\")");
            }
            return table.settle();
        } catch (BadConfiguration e) {
            throw new ConfigException(e.located(name));
        } catch (LuaError e) {
            String text = LuaErrorText.of(e);
            throw new ConfigException(text == null ? name + ": error with no message"
                    : LuaErrorText.withoutTraceback(text));
        } catch (StackOverflowError e) {
            throw new ConfigException(name + ": stack overflow");
        }
    }

    // "file:line" of the Lua code running now: level 1 is the function making the assignment.
    private static String position(LuaValue getinfo) {
        Varargs info = getinfo.invoke(LuaValue.varargsOf(LuaValue.valueOf(1), LuaValue.valueOf("Sl")));
        LuaValue t = info.arg1();
        if (!t.istable() || t.get("currentline").toint() <= 0) {
            return null;
        }
        return t.get("short_src").tojstring() + ":" + t.get("currentline").toint();
    }
}
