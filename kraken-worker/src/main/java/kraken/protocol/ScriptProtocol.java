package kraken.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.PosixException;

/**
 * The contract between a root master and its script process (docs/processes.md, "Who runs
 * what"), version {@value #VERSION}: the sibling of {@link Protocol}, on the same kind of link (an
 * AF_UNIX SOCK_SEQPACKET pair, the script process's end at descriptor {@value Protocol#LINK_FD}),
 * with messages of at most {@value Protocol#MAX_MESSAGE} bytes.
 *
 * <pre>
 *   master -> script  START   version, settings, user ids, the command line's arguments (bytes)
 *   script -> master  IMAGE   a part of the image of the state at kraken.loop() (kraken.image), in order
 *   script -> master  LOOP    what was registered at kraken.loop(), and the image's length
 *   master -> script  RESULT  kraken.loop()'s result, when the master's loop has ended
 * </pre>
 *
 * The script process is not trusted: the master reads its messages into one fixed buffer, checks
 * every count against the bytes that are really there, closes any descriptor it passes, and
 * treats anything it does not understand as the end of that process. The script process's exit
 * status is the command's; end-of-stream on the link is its death (or the master's, on its side).
 */
public final class ScriptProtocol {
    private ScriptProtocol() {}

    public static final int VERSION = 1;

    private static final byte START = 'S';
    private static final byte LOOP = 'L';
    private static final byte RESULT = 'Z';
    private static final byte IMAGE = 'I';

    /** What the script process needs before it runs anything. */
    public record Start(Map<String, String> settings, int uid, int gid, int[] groups, List<String> argv) {
        public Start {
            settings = Map.copyOf(settings);
            argv = List.copyOf(argv);
        }
    }

    /**
     * What the script registered (host "*" and path null for an IP address; host "unix" and a path
     * for a Unix-domain one), the script's folder, and the length of the image sent before it.
     *
     * @param application the registered coroutine as text, null when none
     * @param user the registered user, null when none
     * @param scriptDir the script's folder, null for -e or standard-input programs
     */
    public record Loop(List<Address> addresses, String application, String user, String scriptDir, int imageLength) {
        public Loop {
            addresses = List.copyOf(addresses);
        }
    }

    /** A LOOP and the image whose parts came before it. */
    public record Report(Loop loop, byte[] image) {}

    /** The script process closed the link (it exited) before a report was complete. */
    public static final class LinkEnded extends IOException {
        LinkEnded() {
            super("the script's process ended before kraken.loop()");
        }
    }

    /** Bytes of image in one IMAGE message. */
    static final int IMAGE_PART = Protocol.MAX_MESSAGE - 1;

    public record Address(String host, int port, String path) {}

    /** kraken.loop()'s result: true, or nil and the message (ok false). */
    public record Result(boolean ok, String message) {}

    public static void sendStart(Fd link, Start s) throws IOException {
        send(link, out -> {
            out.writeByte(START);
            out.writeInt(VERSION);
            out.writeInt(s.settings().size());
            for (Map.Entry<String, String> e : s.settings().entrySet()) {
                writeText(out, e.getKey());
                writeText(out, e.getValue());
            }
            out.writeInt(s.uid());
            out.writeInt(s.gid());
            out.writeInt(s.groups().length);
            for (int g : s.groups()) {
                out.writeInt(g);
            }
            out.writeInt(s.argv().size());
            for (String a : s.argv()) {
                writeBytes(out, a.getBytes(StandardCharsets.ISO_8859_1));
            }
        });
    }

    /** The START message, or null when the master is gone. */
    public static Start receiveStart(Fd link) throws IOException {
        DataInputStream in = receive(link);
        if (in == null) {
            return null;
        }
        expect(in, START);
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("protocol: the master speaks script protocol " + version + ", this process " + VERSION);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = count(in, 2); i > 0; i--) {
            settings.put(readText(in), readText(in));
        }
        int uid = in.readInt();
        int gid = in.readInt();
        int[] groups = new int[count(in, 4)];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = in.readInt();
        }
        List<String> argv = new ArrayList<>();
        for (int i = count(in, 4); i > 0; i--) {
            argv.add(new String(readBytes(in), StandardCharsets.ISO_8859_1));
        }
        return new Start(settings, uid, gid, groups, argv);
    }

    /** The image in parts, then LOOP; throws IOException when the report does not fit in one message. */
    public static void sendLoop(Fd link, Loop l, byte[] image) throws IOException {
        for (int off = 0; off < image.length; off += IMAGE_PART) {
            int n = Math.min(IMAGE_PART, image.length - off);
            byte[] m = new byte[n + 1];
            m[0] = IMAGE;
            System.arraycopy(image, off, m, 1, n);
            Descriptors.sendmsg(link.get(), m, m.length, -1);
        }
        send(link, out -> {
            out.writeByte(LOOP);
            out.writeInt(l.addresses().size());
            for (Address a : l.addresses()) {
                writeText(out, a.host());
                out.writeInt(a.port());
                writeOptional(out, a.path());
            }
            writeOptional(out, l.application());
            writeOptional(out, l.user());
            writeOptional(out, l.scriptDir());
            out.writeInt(l.imageLength());
        });
    }

    /**
     * The next report from the script process (IMAGE parts, then LOOP), or null at end of stream
     * (it exited). Throws IOException for anything else: a message this version does not know, one
     * that lies about its lengths, an image over imageLimit bytes (never held beyond it).
     */
    public static Report receiveReport(Fd link, long imageLimit) throws IOException {
        ReportReader reader = new ReportReader(imageLimit);
        try {
            while (!reader.readOne(link)) {
                // the next IMAGE part
            }
        } catch (LinkEnded ended) {
            if (reader.started()) {
                throw new IOException("protocol: the link ended inside a report");
            }
            return null;
        }
        return reader.report();
    }

    /**
     * Reads a report one message at a time, for a master that must never wait on the script
     * process (a reload's, read from the event loop only when its link is readable).
     */
    public static final class ReportReader {
        private final long imageLimit;
        private final ByteArrayOutputStream image = new ByteArrayOutputStream();
        private Report report;

        public ReportReader(long imageLimit) {
            this.imageLimit = imageLimit;
        }

        boolean started() {
            return image.size() > 0;
        }

        /** The complete report; null until readOne returned true. */
        public Report report() {
            return report;
        }

        /**
         * Reads one message; true once the LOOP that ends the report has come. Throws
         * {@link LinkEnded} at end of stream, IOException for a message that breaks the protocol
         * (a message cut short included: DataInput's EOFException is not LinkEnded).
         */
        public boolean readOne(Fd link) throws IOException {
            byte[] buf = new byte[Protocol.MAX_MESSAGE];
            int n = receiveInto(link, buf);
            if (n == 0) {
                throw new LinkEnded();
            }
            if (buf[0] == IMAGE) {
                if (image.size() + (long) (n - 1) > imageLimit) {
                    throw new IOException("protocol: an image of more than " + imageLimit + " bytes");
                }
                image.write(buf, 1, n - 1);
                return false;
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, 0, n));
            expect(in, LOOP);
            List<Address> addresses = new ArrayList<>();
            for (int i = count(in, 9); i > 0; i--) {
                String host = readText(in);
                int port = in.readInt();
                addresses.add(new Address(host, port, readOptional(in)));
            }
            String application = readOptional(in);
            String user = readOptional(in);
            String scriptDir = readOptional(in);
            int length = in.readInt();
            if (in.available() != 0) {
                throw new IOException("protocol: " + in.available() + " bytes after the end of LOOP");
            }
            if (length != image.size()) {
                throw new IOException("protocol: LOOP announces an image of " + length + " bytes, " + image.size()
                        + " came");
            }
            report = new Report(new Loop(addresses, application, user, scriptDir, length), image.toByteArray());
            return true;
        }
    }

    public static void sendResult(Fd link, Result r) throws IOException {
        String m = r.message() == null ? "" : r.message();
        String cut = m.length() > 8000 ? m.substring(0, 8000) : m;
        send(link, out -> {
            out.writeByte(RESULT);
            out.writeBoolean(r.ok());
            writeText(out, cut);
        });
    }

    /** kraken.loop()'s result, or null when the master is gone. */
    public static Result receiveResult(Fd link) throws IOException {
        DataInputStream in = receive(link);
        if (in == null) {
            return null;
        }
        expect(in, RESULT);
        return new Result(in.readBoolean(), readText(in));
    }

    // ---- framing ----

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static void send(Fd link, Writer w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        w.write(out);
        out.flush();
        if (bytes.size() > Protocol.MAX_MESSAGE) {
            throw new IOException("the message of " + bytes.size() + " bytes exceeds " + Protocol.MAX_MESSAGE);
        }
        Descriptors.sendmsg(link.get(), bytes.toByteArray(), bytes.size(), -1);
    }

    /** One message into a fresh bounded buffer, or null at end of stream. */
    private static DataInputStream receive(Fd link) throws IOException {
        byte[] buf = new byte[Protocol.MAX_MESSAGE];
        int n = receiveInto(link, buf);
        return n == 0 ? null : new DataInputStream(new ByteArrayInputStream(buf, 0, n));
    }

    /**
     * One message into buf; 0 at end of stream. A message longer than buf is an error (the kernel
     * cut it: MSG_TRUNC); a descriptor passed with it is closed.
     */
    private static int receiveInto(Fd link, byte[] buf) throws IOException {
        int[] passed = new int[1];
        int n;
        try {
            n = Descriptors.recvmsg(link.get(), buf, passed);
        } catch (PosixException e) {
            if (e.isPeerGone()) {
                return 0; // it died with a message of ours unread: the link reset, its end all the same
            }
            throw e;
        }
        if (passed[0] >= 0) {
            new Fd(passed[0]).close();
        }
        return n;
    }

    private static void expect(DataInputStream in, byte type) throws IOException {
        byte got = in.readByte();
        if (got != type) {
            throw new IOException("protocol: expected message " + (char) type + ", got type " + got);
        }
    }

    /** A count of items of at least minBytes each: never more than the bytes left could hold. */
    private static int count(DataInputStream in, int minBytes) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * minBytes > in.available()) {
            throw new IOException("protocol: a count of " + n + " items in " + in.available() + " bytes");
        }
        return n;
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("protocol: a string of " + n + " bytes in " + in.available());
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static void writeText(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readText(DataInputStream in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static void writeOptional(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeText(out, s);
        }
    }

    private static String readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? readText(in) : null;
    }
}
