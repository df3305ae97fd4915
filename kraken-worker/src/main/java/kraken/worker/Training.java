package kraken.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import kraken.posix.Descriptors;
import kraken.posix.Privileges;
import kraken.posix.Sockets;
import kraken.settings.Settings;
import kraken.image.TopLevel;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.protocol.Protocol;

/**
 * One worker's life in one JVM, for `make` to record the classes a worker loads into a
 * class-data-sharing archive (or a JDK 24+ AOT cache): a thread plays the master and a client,
 * the real WorkerMain code boots, serves the program every user writes (docs/lua-api.md) once and exits.
 */
public final class Training {
    private Training() {}

    static final String PROGRAM = """
            local app = coroutine.create(function (skt, addr)
              skt:rawsend(">")
              local line = skt:receive()
              skt:send("Ok " .. tostring(line) .. " " .. addr.host)
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "*", port = 8001 })
            assert(kraken.loop())
            """;

    public static void main(String[] args) throws Exception {
        int[] link = Descriptors.socketpair(Posix.Constant.SOCK_SEQPACKET.value);
        Fd master = new Fd(link[0]);
        Settings s = new Settings();
        s.allowRoot = true;
        // Before the worker starts: a state's shared metatables are the JVM's.
        Fd image = Protocol.imageFile(TopLevel.image(s, PROGRAM, "=training"));
        String[] reply = new String[1];
        Thread t = new Thread(() -> reply[0] = playMaster(master, s, image), "training-master");
        t.start();
        int status = WorkerMain.serve(new Fd(link[1]), false);
        t.join(30_000);
        if (status != Protocol.EXIT_OK || reply[0] == null || !reply[0].equals(">Ok hi 127.0.0.1\r\n")) {
            System.err.println("kraken training: worker exit " + status + ", reply " + reply[0]);
            System.exit(1);
        }
        System.exit(0);
    }

    private static String playMaster(Fd link, Settings s, Fd image) {
        try (image) {
            int[] ids = Privileges.getresids();
            Protocol.sendHello(link, new Protocol.Hello(Protocol.VERSION, s.encode(), ids[1], ids[4],
                    Privileges.getgroups(), null, image));
            expect(Protocol.receiveFromWorker(link), Protocol.Ready.class);
            if (Boolean.getBoolean("kraken.training.report")) {
                System.err.println("kraken training: ready, process cpu " + selfCpuMillis() + " ms");
            }
            int[] conn = Descriptors.socketpair(Posix.Constant.SOCK_STREAM.value);
            try (Fd client = new Fd(conn[0]); Fd server = new Fd(conn[1])) {
                Protocol.sendConnection(link, "127.0.0.1", 40000, server);
                server.close();
                byte[] hi = "hi\n".getBytes(StandardCharsets.ISO_8859_1);
                Sockets.send(client.get(), hi, 0, hi.length);
                StringBuilder got = new StringBuilder();
                byte[] buf = new byte[256];
                for (int n; (n = Sockets.recv(client.get(), buf, 0, buf.length)) > 0; ) {
                    got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
                expect(Protocol.receiveFromWorker(link), Protocol.Done.class);
                return got.toString();
            }
        } catch (IOException e) {
            System.err.println("kraken training: " + e.getMessage());
            return null;
        }
    }

    // utime + stime of this process from /proc/self/stat, in milliseconds (100 ticks a second).
    private static long selfCpuMillis() throws IOException {
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/stat")) {
            String stat = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        }
    }

    private static void expect(Object msg, Class<?> type) throws IOException {
        if (!type.isInstance(msg)) {
            throw new IOException("expected " + type.getSimpleName() + ", got " + msg);
        }
    }
}
