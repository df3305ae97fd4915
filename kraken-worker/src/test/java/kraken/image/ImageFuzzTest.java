package kraken.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import kraken.fuzz.Allocation;
import kraken.lua.module.Registry;
import kraken.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaValue;

/**
 * The reader of the state image under any bytes, and the copy of what it accepts into a fresh
 * state: a worker reads the image a master made from a script's top level, and neither the
 * script nor a subverted process in between may make the reader do anything but accept or
 * refuse. The contract: an Image or an ImageException, nothing else thrown (no Error either: the
 * reader is iterative, so no StackOverflowError); what it accepts copies into a state or is
 * refused the same way; no more than limitBytes read; memory bounded by the image's size.
 */
@Tag("fuzz")
class ImageFuzzTest {
    private static final long LIMIT = 1 << 20;

    @FuzzTest
    void image(byte[] bytes) {
        readAndCopy(bytes); // the first run of a path loads classes: not the reader's own cost
        long mark = Allocation.mark();
        boolean read = readAndCopy(bytes);
        // A fresh state is a few hundred KB whatever the image; a record takes at most a few
        // hundred bytes of heap per byte of image (a small table ~100 bytes for a few).
        Allocation.atMost(mark, 4L * 1024 * 1024 + 1024L * bytes.length, "reading and copying the image");
        if (bytes.length > 64) {
            try {
                Image.read(bytes, 64);
                throw new AssertionError("an image of " + bytes.length + " bytes read under a limit of 64");
            } catch (ImageException e) {
                assertTrue(e.getMessage().contains("more than"), e.getMessage());
            }
        }
    }

    /** Whether the bytes were an image that copied into a state. */
    private static boolean readAndCopy(byte[] bytes) {
        Image image;
        try {
            image = Image.read(bytes, LIMIT);
        } catch (ImageException e) {
            return false;
        }
        assertTrue(image.records() <= bytes.length, image.records() + " records in " + bytes.length + " bytes");
        try {
            Globals g = image.instantiate(new Settings(), new Registry(), r -> LuaValue.NONE, null);
            assertTrue(g != null);
            return true;
        } catch (ImageException e) {
            return false;
        }
    }
}
