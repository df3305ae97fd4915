package kraken.image;

import kraken.lua.Registry;
import org.luaj.vm2.Globals;

/**
 * Captures a Lua state at kraken.loop() as an image (docs/ section 6, "One run of the top level,
 * one image"): the bytes from which every connection's state is a copy.
 */
public final class ImageWriter {
    private ImageWriter() {}

    /**
     * The image of g and what the script registered. Throws, naming the value and where it is
     * reachable from, when a value cannot be copied, or when the image would exceed limitBytes.
     */
    public static byte[] capture(Globals g, Registry registry, long limitBytes) throws ImageException {
        throw new ImageException("not yet");
    }
}
