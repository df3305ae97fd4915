package kraken.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Kraken server for a test: a script and a configuration file in a temporary folder,
 * the kraken command serving them on a free port of 127.0.0.1, and helpers to talk to it and
 * to look at its workers through /proc.
 */
public final class Server implements AutoCloseable {
    public static final Duration STARTUP = Duration.ofSeconds(30);

    /**
     * Lua for test scripts: pid() is the worker's own pid (what many applications send first, so
     * that a test knows which worker serves it).
     */
    public static final String PID_FUNCTION = """
            local function pid()
              local f = io.open("/proc/self/stat")
              local p = f:read("*n")
              f:close()
              return p
            end
            """;

    public final int port;
    public final Path dir;
    public final Path script;
    public final KrakenProcess process;

    private Server(int port, Path dir, Path script, KrakenProcess process) {
        this.port = port;
        this.dir = dir;
        this.script = script;
        this.process = process;
    }

    /**
     * Starts kraken on script (where the text PORT stands for the port) with the configuration
     * text (Lua setting kraken.* fields; may be empty).
     */
    public static Server start(Path dir, String script, String config, String... extraPrefix) throws IOException {
        KrakenProcess.Builder b = KrakenProcess.builder();
        for (String p : extraPrefix) {
            b.jvmArg(p);
        }
        return start(dir, script, config, b);
    }

    /** As above, with a builder the caller prepared (its environment, a prefix command...). */
    public static Server start(Path dir, String script, String config, KrakenProcess.Builder b) throws IOException {
        int port = Paths.freePort();
        // The script process and the workers run as nobody and read the script and what it requires.
        KrakenProcess.openToAll(dir.toFile());
        Path s = dir.resolve("server.lua");
        Files.writeString(s, script.replace("PORT", Integer.toString(port)));
        Path c = dir.resolve("kraken.lua");
        Files.writeString(c, config);
        KrakenProcess p = b.args("--config", c.toString(), s.toString()).start();
        return new Server(port, dir, s, p);
    }

    /** The program every user writes (docs/lua-api.md), as shipped in examples/hello.lua, with PORT for its port. */
    public static String helloProgram() {
        try {
            String hello = Files.readString(Paths.root().toPath().resolve("examples/hello.lua"));
            if (!hello.contains("port = 8001")) {
                throw new AssertionError("examples/hello.lua no longer listens on 8001: " + hello);
            }
            return hello.replace("port = 8001", "port = PORT");
        } catch (IOException e) {
            throw new AssertionError("cannot read examples/hello.lua", e);
        }
    }

    /** Waits until n workers have reported ready (in all, since start). */
    public Server awaitReady(int n) {
        process.await(n + " ready workers", STARTUP, () -> count("ready in") >= n);
        return this;
    }

    public int count(String logText) {
        String err = process.stderr();
        int n = 0;
        for (int i = err.indexOf(logText); i >= 0; i = err.indexOf(logText, i + 1)) {
            n++;
        }
        return n;
    }

    public void awaitLog(String text, Duration deadline) {
        process.await("log line containing '" + text + "'", deadline, () -> process.stderr().contains(text));
    }

    /** A client connection with a read timeout, so no test can hang on it. */
    public Client connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(20_000);
        return new Client(s);
    }

    /** Speaks the protocol of the program every user writes (docs/lua-api.md) once and returns every byte the server sent. */
    public String exchange(String line) throws IOException {
        try (Client c = connect()) {
            c.send(line);
            return c.readAll();
        }
    }

    /** The pids of the master's live child processes but its script process: its workers. */
    public List<Integer> workerPids() {
        List<Integer> pids = new ArrayList<>();
        process.process().toHandle().children().forEach(h -> {
            if (!isScriptProcess(h.pid())) {
                pids.add((int) h.pid());
            }
        });
        return pids;
    }

    /** The master's child that runs the script's top level (docs/processes.md), or -1. */
    public int scriptPid() {
        return process.process().toHandle().children().filter(h -> isScriptProcess(h.pid()))
                .mapToInt(h -> (int) h.pid()).findFirst().orElse(-1);
    }

    public static boolean isScriptProcess(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cmdline")).contains("kraken.cli.ScriptMain");
        } catch (IOException gone) {
            return false;
        }
    }

    /** Workers whose pid appears in a "worker N ready" line and that are still alive. */
    public static String procStatus(int pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/status"));
    }

    public static String statusField(int pid, String field) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s*(.*)$").matcher(procStatus(pid));
        return m.find() ? m.group(1).trim() : null;
    }

    /** What each descriptor of pid points at ("socket:[123]", "pipe:[4]", a path). */
    public static List<String> descriptors(int pid) throws IOException {
        List<String> out = new ArrayList<>();
        File[] fds = new File("/proc/" + pid + "/fd").listFiles();
        if (fds != null) {
            for (File f : fds) {
                try {
                    out.add(f.getName() + " -> " + Files.readSymbolicLink(f.toPath()));
                } catch (IOException gone) {
                    // closed while we looked
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        process.close();
    }

    public static final class Client implements AutoCloseable {
        public final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        public Client(Socket s) throws IOException {
            this.socket = s;
            this.in = s.getInputStream();
            this.out = s.getOutputStream();
        }

        public void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Reads exactly n bytes (or fewer at end of stream). */
        public String read(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            return new String(b, StandardCharsets.ISO_8859_1);
        }

        /** Reads one line sent with send(): up to "\r\n", which is dropped. */
        public String readLine() throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c; (c = in.read()) >= 0; ) {
                b.append((char) c);
                if (b.length() >= 2 && b.charAt(b.length() - 2) == '\r' && c == '\n') {
                    return b.substring(0, b.length() - 2);
                }
            }
            return b.toString();
        }

        public String readAll() throws IOException {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
