package kraken.image;

import kraken.lua.module.LoopHandler;
import kraken.lua.module.Registry;
import kraken.lua.runtime.LuaRuntime;
import kraken.settings.Settings;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Runs a chunk's top level in a fresh state and returns its image at kraken.loop(): for the
 * worker's training run and for measurements, where no command runs the script.
 */
public final class TopLevel {
    private TopLevel() {}

    public static byte[] image(Settings settings, String source, String chunkName) throws ImageException {
        Registry registry = new Registry();
        Capture capture = new Capture(ImageLimits.forHeap(settings));
        Globals g = LuaRuntime.create(settings, registry, capture, null);
        capture.globals = g;
        g.load(source, chunkName).call();
        if (capture.failure != null) {
            throw capture.failure;
        }
        if (capture.image == null) {
            throw new ImageException(chunkName + ": the chunk ended without calling kraken.loop()");
        }
        return capture.image;
    }

    private static final class Capture implements LoopHandler {
        private final long limit;
        Globals globals;
        byte[] image;
        ImageException failure;

        Capture(long limit) {
            this.limit = limit;
        }

        @Override
        public Varargs loop(Registry registry) {
            try {
                image = ImageWriter.capture(globals, registry, limit);
                return LuaValue.TRUE;
            } catch (ImageException e) {
                failure = e;
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(e.getMessage()));
            }
        }
    }
}
