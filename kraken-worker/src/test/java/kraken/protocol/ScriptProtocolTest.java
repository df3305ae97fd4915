package kraken.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.Posix;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The master/script-process link (docs/processes.md): round trips, and what a hostile script process sends. */
@Tag("unit")
@Timeout(30)
class ScriptProtocolTest {
    private static Fd[] link() throws IOException {
        int[] p = Descriptors.socketpair(Posix.Constant.SOCK_SEQPACKET.value);
        return new Fd[] {new Fd(p[0]), new Fd(p[1])};
    }

    private static void raw(Fd link, byte... b) throws IOException {
        Descriptors.sendmsg(link.get(), b, b.length, -1);
    }

    @Test
    void startCarriesTheSettingsTheUserAndTheCommandLineBytes() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd script = l[1]) {
            ScriptProtocol.sendStart(master, new ScriptProtocol.Start(Map.of("grace", "1.5"), 65534, 65534,
                    new int[] {65534, 4}, List.of("-e", "print('\u00e9\u00ff')")));
            ScriptProtocol.Start s = ScriptProtocol.receiveStart(script);
            assertEquals(Map.of("grace", "1.5"), s.settings());
            assertEquals(65534, s.uid());
            assertArrayEquals(new int[] {65534, 4}, s.groups());
            assertEquals(List.of("-e", "print('\u00e9\u00ff')"), s.argv(), "one char per byte, every byte kept");
        }
    }

    @Test
    void aReportCarriesAnImageOfManyPartsAndTheResultGoesBack() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd script = l[1]) {
            byte[] image = new byte[3 * Protocol.MAX_MESSAGE + 17];
            for (int i = 0; i < image.length; i++) {
                image[i] = (byte) (i * 31);
            }
            ScriptProtocol.Loop sent = new ScriptProtocol.Loop(List.of(new ScriptProtocol.Address("*", 8001, null),
                    new ScriptProtocol.Address("unix", 0, "/run/a.sock")), "thread: 1", "www-data", "/srv", image.length);
            Thread t = new Thread(() -> {
                try {
                    ScriptProtocol.sendLoop(script, sent, image);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            t.start();
            ScriptProtocol.Report r = ScriptProtocol.receiveReport(master, image.length);
            t.join(10_000);
            assertEquals(sent, r.loop());
            assertArrayEquals(image, r.image());
            ScriptProtocol.sendResult(master, new ScriptProtocol.Result(false, "bind failed"));
            assertEquals(new ScriptProtocol.Result(false, "bind failed"), ScriptProtocol.receiveResult(script));
            script.close();
            assertNull(ScriptProtocol.receiveReport(master, 10), "end of stream: the script process exited");
        }
    }

    @Test
    void anImageOverTheLimitIsRefusedBeforeItIsHeld() throws Exception {
        Fd[] l = link();
        try (Fd master = l[0]; Fd script = l[1]) {
            byte[] part = new byte[Protocol.MAX_MESSAGE];
            part[0] = 'I';
            raw(script, part);
            raw(script, part);
            IOException e = assertThrows(IOException.class, () -> ScriptProtocol.receiveReport(master, 100_000));
            assertTrue(e.getMessage().contains("an image of more than 100000 bytes"), e.getMessage());
        }
    }

    @Test
    void garbageLyingCountsAndShortMessagesBreakTheProtocolAndAreNotTheEndOfStream() throws Exception {
        byte[][] hostile = {
            {'X'},
            {'L'},
            {'L', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {'L', 0, 0, 0, 1, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0},
            {'L', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5},
            {'L', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9},
        };
        for (byte[] m : hostile) {
            Fd[] l = link();
            try (Fd master = l[0]; Fd script = l[1]) {
                raw(script, m);
                IOException e = assertThrows(IOException.class, () -> ScriptProtocol.receiveReport(master, 1 << 20));
                assertFalse(e instanceof ScriptProtocol.LinkEnded, e.toString());
            }
        }
    }

    @Test
    void aDescriptorPassedByTheScriptProcessIsClosedNotKept() throws Exception {
        Fd[] l = link();
        int[] pipe = Descriptors.pipe(false);
        try (Fd master = l[0]; Fd script = l[1]; Fd r = new Fd(pipe[0]); Fd w = new Fd(pipe[1])) {
            byte[] m = {'I', 1, 2, 3};
            Descriptors.sendmsg(script.get(), m, m.length, r.get());
            r.close();
            ScriptProtocol.ReportReader reader = new ScriptProtocol.ReportReader(100);
            assertFalse(reader.readOne(master));
            // The only reader of the pipe is gone once the master closed what it received.
            IOException e = assertThrows(IOException.class, () -> Descriptors.write(w.get(), new byte[] {1}, 1));
            assertTrue(e.getMessage().contains("Broken pipe"), e.getMessage());
        }
    }
}
