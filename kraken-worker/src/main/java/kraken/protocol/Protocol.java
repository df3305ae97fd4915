package kraken.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.PosixException;

/**
 * The whole contract between the master and a worker, version {@value #VERSION}.
 *
 * <p>The link is an AF_UNIX SOCK_SEQPACKET socket pair: one message per packet, so no framing.
 * The master keeps one end; the worker finds the other at descriptor {@value #LINK_FD}. A
 * message is one type byte followed by its fields in DataOutput form. At most
 * {@value #MAX_MESSAGE} bytes.
 *
 * <pre>
 *   master -> worker  HELLO       version, settings, user ids, script folder
 *                                 + SCM_RIGHTS image                    (once, first)
 *   worker -> master  READY                                               (state prepared)
 *   master -> worker  CONNECTION  peer host, peer port, path + SCM_RIGHTS fd
 *   worker -> master  DONE        outcome ("ok" or the application's error)
 *   worker -> master  FAILED      the error that stopped it before READY
 * </pre>
 *
 * HELLO's descriptor is the state image (kraken.image: the script's state at kraken.loop(),
 * which every connection copies): a memfd sealed against writing, growing and shrinking (and
 * against new seals), made once by {@link #imageFile} and passed with every HELLO, since an image
 * can be far larger than a message. A worker reads it with {@link #readImage}, which refuses a
 * file without those seals or larger than its limit.
 *
 * <p>In "process" isolation a worker exits after its DONE; in "state" isolation it prepares a new
 * Lua state and sends READY again. The master stops a worker by closing its end. Each side
 * treats end-of-stream on the link as the death of the other: the worker exits at once, the
 * master reaps it. A worker's exit status is protocol too: see the EXIT_ constants.
 */
public final class Protocol {
    private Protocol() {}

    /**
     * 2: exit statuses moved clear of the JVM's; 3: CONNECTION carries a path (Unix-domain
     * listeners); 4: HELLO carries the state image (a sealed memfd) instead of the program to replay.
     */
    public static final int VERSION = 4;
    public static final int LINK_FD = 3;
    public static final int MAX_MESSAGE = 65536;
    /** The name of the image's memfd (/proc/PID/fd shows it as /memfd:kraken-image). */
    public static final String IMAGE_NAME = "kraken-image";

    // Exit statuses. Kraken's own are 10 and up, clear of the statuses the JVM itself uses (1: it
    // could not start, 3: -XX:+ExitOnOutOfMemoryError, 134: abort), so that no JVM failure reads
    // as one of ours. The master decides whether a death throttles spawning from what it saw on
    // the link (a FAILED message, no READY yet), never from a status alone: a script's os.exit()
    // can return any number.

    /** Served its connections and exited normally. */
    public static final int EXIT_OK = 0;
    /** The JVM's status under -XX:+ExitOnOutOfMemoryError: the heap (kraken.limits.memory) ran out. */
    public static final int EXIT_OUT_OF_MEMORY = 3;
    /** Failed before READY (after a FAILED message): the script, the privilege drop, the setup. */
    public static final int EXIT_BOOT_FAILED = 10;
    /** The master closed the link or died. */
    public static final int EXIT_MASTER_GONE = 11;
    /** The master spoke a version or message this worker does not understand. */
    public static final int EXIT_PROTOCOL = 12;
    /** A connection used more than kraken.limits.cpu seconds of CPU ("state" isolation's own count). */
    public static final int EXIT_CPU_LIMIT = 13;
    /** After its DONE: a connection left what the worker cannot clean (descriptors), so it is not reused. */
    public static final int EXIT_RETIRED = 14;

    // One receive buffer per thread: the master's supervisor reads a message per event.
    private static final ThreadLocal<byte[]> BUFFER = new ThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_MESSAGE];
        }
    };

    private static final byte HELLO = 'H';
    private static final byte READY = 'R';
    private static final byte CONNECTION = 'C';
    private static final byte DONE = 'D';
    private static final byte FAILED = 'F';

    /** One step of a program (-e, -l, the script), as the command records it. */
    public record Step(Kind kind, String text) {
        public enum Kind {
            /** -e: a chunk of Lua source. */
            STATEMENT,
            /** -l: a module name to require. */
            LIBRARY,
            /** The script, by path. */
            SCRIPT_FILE,
            /** The script as source text (read from standard input), one char per byte (ISO-8859-1). */
            SCRIPT_SOURCE
        }
    }

    /**
     * Everything a worker needs to become what the script was at kraken.loop(): its image (a
     * sealed memfd, see the class comment; the receiver owns it) and the script's folder (the
     * sandbox's require path; null for -e or standard input).
     */
    public record Hello(int version, Map<String, String> settings, int uid, int gid, int[] groups,
                        String scriptDir, Fd image) implements ToWorker {
        public Hello {
            settings = Map.copyOf(settings);
        }
    }

    /** A message from the master to a worker. */
    public sealed interface ToWorker permits Hello, Connection {}

    /**
     * An accepted connection: the descriptor travels beside the message. From a Unix-domain
     * listener the host is "unix", the port 0 and path the listener's path; otherwise path is null.
     */
    public record Connection(String peerHost, int peerPort, String path, Fd fd) implements ToWorker {
        public Connection(String peerHost, int peerPort, Fd fd) {
            this(peerHost, peerPort, null, fd);
        }
    }

    /** A message from a worker to the master. */
    public sealed interface ToMaster permits Ready, Done, Failed {}

    public record Ready() implements ToMaster {}

    public record Done(String outcome) implements ToMaster {}

    public record Failed(String error) implements ToMaster {}

    // ---- master side ----

    public static void sendHello(Fd link, Hello h) throws IOException {
        sendHello(link, encodeHello(h), h.image());
    }

    /** Sends a HELLO made by encodeHello, with the image file beside it (the caller keeps its copy). */
    public static void sendHello(Fd link, byte[] hello, Fd image) throws IOException {
        Descriptors.sendmsg(link.get(), hello, hello.length, image.get());
    }

    /** A sealed memfd holding image, for every worker's HELLO; the caller owns it. */
    public static Fd imageFile(byte[] image) throws IOException {
        return new Fd(Descriptors.sealedMemfd(IMAGE_NAME, image));
    }

    /** The image in a HELLO's file: refused unless sealed, and when larger than limit. */
    public static byte[] readImage(Fd image, long limit) throws IOException {
        long size = Descriptors.sealedSize(image.get());
        if (size > Math.min(limit, Integer.MAX_VALUE - 8)) {
            throw new IOException("the state image has " + size + " bytes, more than the " + limit
                    + " this worker's heap allows (kraken.limits.memory)");
        }
        byte[] b = new byte[(int) size];
        if (Descriptors.preadAll(image.get(), b) != b.length) {
            throw new IOException("protocol: the state image is shorter than its size");
        }
        return b;
    }

    /** A HELLO as bytes (without its image file), for a master that sends the same one to many workers. */
    public static byte[] encodeHello(Hello h) throws IOException {
        return encode(out -> {
            out.writeByte(HELLO);
            out.writeInt(h.version());
            out.writeInt(h.settings().size());
            for (Map.Entry<String, String> e : h.settings().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeInt(h.uid());
            out.writeInt(h.gid());
            out.writeInt(h.groups().length);
            for (int g : h.groups()) {
                out.writeInt(g);
            }
            writeLong(out, h.scriptDir() == null ? "" : h.scriptDir());
        });
    }

    /** Sends a message made by one of the encode methods. */
    public static void sendEncoded(Fd link, byte[] message) throws IOException {
        Descriptors.sendmsg(link.get(), message, message.length, -1);
    }

    /** Passes an accepted connection; the caller still owns, and must close, its copy of fd. */
    public static void sendConnection(Fd link, String peerHost, int peerPort, Fd fd) throws IOException {
        sendConnection(link, peerHost, peerPort, null, fd);
    }

    /** As above, with the listener's path for a connection to a Unix-domain listener (else null). */
    public static void sendConnection(Fd link, String peerHost, int peerPort, String path, Fd fd) throws IOException {
        send(link, out -> {
            out.writeByte(CONNECTION);
            out.writeUTF(peerHost);
            out.writeInt(peerPort);
            out.writeUTF(path == null ? "" : path);
        }, fd.get());
    }

    /** The next message from a worker, or null at end of stream (the worker is gone). */
    public static ToMaster receiveFromWorker(Fd link) throws IOException {
        byte[] buf = BUFFER.get();
        int[] passed = new int[1];
        int n;
        try {
            n = Descriptors.recvmsg(link.get(), buf, passed);
        } catch (PosixException e) {
            if (e.isPeerGone()) {
                // A worker that died with our HELLO unread (a JVM that could not start) resets the
                // link instead of closing it: that too is its death, not a protocol error.
                return null;
            }
            throw e;
        }
        if (passed[0] >= 0) {
            new Fd(passed[0]).close(); // workers never send descriptors; do not keep one.
        }
        if (n == 0) {
            return null;
        }
        return decodeFromWorker(buf, n);
    }

    /**
     * A worker's message from the n bytes of its packet (n > 0). A worker runs hostile scripts
     * and its JVM could be subverted, so any bytes may come: the answer is a message or an
     * IOException, never another exception, and nothing is allocated beyond what the packet holds.
     */
    static ToMaster decodeFromWorker(byte[] buf, int n) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, 0, n));
        byte type = in.readByte();
        switch (type) {
            case READY:
                return new Ready();
            case DONE:
                return new Done(readUtf(in));
            case FAILED:
                return new Failed(readLong(in));
            default:
                throw new IOException("protocol: unknown message type " + type + " from worker");
        }
    }

    // readUTF allocates the length it reads before reading: a 3-byte packet would cost 200 KB.
    private static String readUtf(DataInputStream in) throws IOException {
        in.mark(2);
        int length = in.readUnsignedShort();
        in.reset();
        if (length > in.available() - 2) {
            throw new EOFException("protocol: a string of " + length + " bytes in a message with "
                    + (in.available() - 2) + " left");
        }
        return in.readUTF();
    }

    // ---- worker side ----

    public static void sendReady(Fd link) throws IOException {
        send(link, out -> out.writeByte(READY), -1);
    }

    public static void sendDone(Fd link, String outcome) throws IOException {
        String o = outcome.length() > 1000 ? outcome.substring(0, 1000) : outcome;
        send(link, out -> {
            out.writeByte(DONE);
            out.writeUTF(o);
        }, -1);
    }

    public static void sendFailed(Fd link, String error) throws IOException {
        String e = error.length() > 16000 ? error.substring(0, 16000) : error;
        send(link, out -> {
            out.writeByte(FAILED);
            writeLong(out, e);
        }, -1);
    }

    /** The next message from the master, or null at end of stream (the master is gone). */
    public static ToWorker receiveFromMaster(Fd link) throws IOException {
        byte[] buf = BUFFER.get();
        int[] passed = new int[1];
        int n = Descriptors.recvmsg(link.get(), buf, passed);
        Fd fd = passed[0] >= 0 ? new Fd(passed[0]) : null;
        try {
            if (n == 0) {
                return null;
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, 0, n));
            byte type = in.readByte();
            if (type == CONNECTION) {
                String host = in.readUTF();
                int port = in.readInt();
                String path = in.readUTF();
                if (fd == null) {
                    throw new IOException("protocol: connection message without a descriptor");
                }
                Connection c = new Connection(host, port, path.isEmpty() ? null : path, fd);
                fd = null;
                return c;
            }
            if (type == HELLO) {
                if (fd == null) {
                    throw new IOException("protocol: HELLO without its image");
                }
                Hello h = readHello(in, fd);
                fd = null;
                return h;
            }
            throw new IOException("protocol: unknown message type " + type + " from master");
        } finally {
            if (fd != null) {
                fd.close();
            }
        }
    }

    private static Hello readHello(DataInputStream in, Fd image) throws IOException {
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("protocol: master speaks version " + version + ", this worker " + VERSION);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            settings.put(in.readUTF(), in.readUTF());
        }
        int uid = in.readInt();
        int gid = in.readInt();
        int[] groups = new int[in.readInt()];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = in.readInt();
        }
        String scriptDir = readLong(in);
        return new Hello(version, settings, uid, gid, groups, scriptDir.isEmpty() ? null : scriptDir, image);
    }

    // ---- framing ----

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static void send(Fd link, Writer w, int passFd) throws IOException {
        byte[] message = encode(w);
        Descriptors.sendmsg(link.get(), message, message.length, passFd);
    }

    private static byte[] encode(Writer w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        w.write(out);
        out.flush();
        if (bytes.size() > MAX_MESSAGE) {
            throw new IOException("protocol: message of " + bytes.size() + " bytes exceeds " + MAX_MESSAGE);
        }
        return bytes.toByteArray();
    }

    // writeUTF stops at 64 KiB; strings here (script source, errors) may be longer in principle.
    private static void writeLong(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readLong(DataInputStream in) throws IOException {
        int length = in.readInt();
        // The message is in memory: a length past its end is a lie, not a reason to allocate.
        if (length < 0 || length > in.available()) {
            throw new EOFException("protocol: a string of " + length + " bytes in a message with "
                    + in.available() + " left");
        }
        byte[] b = new byte[length];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
