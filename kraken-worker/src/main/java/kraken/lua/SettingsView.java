package kraken.lua;

import org.luaj.vm2.LuaTable;

/** The configuration keys on the kraken table: readable by scripts, settable only by the configuration file. */
public final class SettingsView {
    private SettingsView() {}

    /** Placeholder until the configuration is built: installs nothing. */
    public static void install(LuaTable kraken, Settings settings) {
    }
}
