package kraken.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kraken.AF, SOCK and SO fill themselves on first use: a fresh state's index leaves them unread,
 * and a copy still has the right numbers, whether the top level read them, changed them, or not.
 */
@Tag("unit")
class LazyConstantsImageTest {
    private static String read(String topLevel) throws Exception {
        Image image = Image.read(ImageTest.imageOf(topLevel + "\nkraken.registerApplication(coroutine.create(print))"),
                ImageTest.LIMIT);
        return ImageTest.run(ImageTest.copy(image), "return kraken.AF.INET .. ' ' .. tostring(kraken.SO.MINE)")
                .tojstring();
    }

    @Test
    void unreadFilledAndChangedTablesAllCopyTheirContents() throws Exception {
        String inet = Integer.toString(jnr.constants.platform.AddressFamily.AF_INET.intValue());
        assertEquals(inet + " nil", read(""));
        assertEquals(inet + " nil", read("local x = kraken.AF.INET6"));
        assertEquals(inet + " 7", read("kraken.SO.MINE = 7"));
    }
}
