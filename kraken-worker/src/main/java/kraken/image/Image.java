package kraken.image;

import java.nio.file.Path;
import kraken.lua.LoopHandler;
import kraken.lua.Registry;
import kraken.lua.Settings;
import org.luaj.vm2.Globals;

/**
 * An image read and validated once; each {@link #instantiate} makes a fresh state that is a copy
 * of it. Safe against hostile bytes: anything wrong is an ImageException.
 */
public final class Image {
    private Image() {}

    /** Parses and validates bytes made by {@link ImageWriter#capture}; refuses more than limitBytes. */
    public static Image read(byte[] bytes, long limitBytes) throws ImageException {
        throw new ImageException("not yet");
    }

    /**
     * A fresh state (as LuaRuntime.create makes it) filled with a copy of the image; registry
     * receives the application (a new, unstarted coroutine), the addresses and the user.
     */
    public Globals instantiate(Settings settings, Registry registry, LoopHandler loop, Path scriptDir)
            throws ImageException {
        throw new ImageException("not yet");
    }
}
