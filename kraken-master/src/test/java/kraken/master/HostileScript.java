package kraken.master;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.util.List;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.ThisProcess;
import kraken.protocol.Protocol;
import kraken.protocol.ScriptProtocol;

/**
 * A script process that breaks the rules, started by a real master in place of kraken.cli.ScriptMain
 * (-Dkraken.script.main): what it does is the -e argument of the command line.
 */
public final class HostileScript {
    private HostileScript() {}

    public static void main(String[] args) throws Exception {
        Fd link = new Fd(Protocol.LINK_FD);
        ScriptProtocol.Start start = ScriptProtocol.receiveStart(link);
        String what = start.argv().get(start.argv().size() - 1);
        switch (what) {
            case "garbage" -> {
                byte[] b = "L\u0000\u0000\u0000\u0001\u00ffzz".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                Descriptors.sendmsg(link.get(), b, b.length, -1);
                sleepForever();
            }
            case "lying-count" -> {
                // A LOOP that claims two billion addresses in nine bytes.
                byte[] b = {'L', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0};
                Descriptors.sendmsg(link.get(), b, b.length, -1);
                sleepForever();
            }
            case "oversized" -> {
                // As large as the natives send (a larger one is cut by the master's recvmsg: EMSGSIZE),
                // a LOOP of one address whose host claims the whole message and more.
                byte[] b = new byte[Protocol.MAX_MESSAGE];
                b[0] = 'L';
                b[4] = 1;
                b[5] = 0x00;
                b[6] = 0x01;
                b[7] = 0x00;
                b[8] = 0x00;
                Descriptors.sendmsg(link.get(), b, b.length, -1);
                sleepForever();
            }
            case "silent" -> sleepForever();
            case "flood" -> {
                byte[] line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n".getBytes();
                try (FileOutputStream out = new FileOutputStream(FileDescriptor.out);
                     FileOutputStream err = new FileOutputStream(FileDescriptor.err)) {
                    for (int i = 0; i < 200_000; i++) {
                        out.write(line);
                        err.write(line);
                    }
                }
                System.exit(0);
            }
            case "dies-at-loop" -> {
                String port = start.argv().get(start.argv().size() - 3); // -e PORT -e dies-at-loop
                byte[] image = kraken.image.TopLevel.image(kraken.settings.Settings.decode(start.settings()),
                        "kraken.registerApplication(coroutine.create(function(s) s:send('served') end))"
                        + " kraken.loop()", "=hostile");
                ScriptProtocol.sendLoop(link, new ScriptProtocol.Loop(
                        List.of(new ScriptProtocol.Address("127.0.0.1", Integer.parseInt(port), null)), "thread: x",
                        null, null, image.length), image);
                ThisProcess.exitNow(5);
            }
            default -> System.exit(99);
        }
    }

    private static void sleepForever() throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }
}
