package kraken.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import kraken.config.ConfigException;
import kraken.config.ConfigLoader;
import kraken.config.ConfigSource;
import kraken.net.HostPort;
import kraken.settings.Settings;

/**
 * `kraken status [--config FILE] [--metrics]`: asks the running master, at the address
 * kraken.status gives in the configuration, for GET /status (or /metrics) and prints the body.
 *
 * `status` is this subcommand when it is the first word of the command line, or follows only
 * --config options. A script named status still runs as `kraken ./status` or `kraken -- status`,
 * as lua5.1 would run it, and anywhere after another option (`kraken -e x=1 status`).
 * Exit status: 0 printed; 1 a bad configuration, no kraken.status, or an error answer;
 * 3 no master answers there (as an init script's status says "not running").
 */
final class StatusCommand {
    static final int NOT_RUNNING = 3;
    private static final long DEADLINE_MS = 10_000;

    private final String config;
    private final boolean metrics;

    private StatusCommand(String config, boolean metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** Whether argv is a status command: only --config options before the word status. */
    static boolean matches(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("status")) {
                return true;
            }
            if (a.equals("--config")) {
                i++;
            } else if (!a.startsWith("--config=")) {
                return false;
            }
        }
        return false;
    }

    /** Parses what matches() accepted; a word that is not an option of the subcommand is an error. */
    static StatusCommand parse(String[] argv) throws IllegalArgumentException {
        String config = null;
        boolean metrics = false;
        boolean seen = false;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("status") && !seen) {
                seen = true;
            } else if (a.equals("--config")) {
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException("'--config' needs an argument");
                }
                config = argv[++i];
            } else if (a.startsWith("--config=")) {
                config = a.substring("--config=".length());
            } else if (a.equals("--metrics") && seen) {
                metrics = true;
            } else {
                throw new IllegalArgumentException("status: unexpected argument '" + a + "' (usage: kraken status"
                        + " [--config FILE] [--metrics]; a script named status runs as kraken ./status)");
            }
        }
        return new StatusCommand(config, metrics);
    }

    static int run(String[] argv, PrintStream out, ErrorReport report) {
        StatusCommand cmd;
        try {
            cmd = parse(argv);
        } catch (IllegalArgumentException e) {
            report.message(e.getMessage());
            return 1;
        }
        return cmd.run(out, report);
    }

    private int run(PrintStream out, ErrorReport report) {
        ConfigSource source;
        Settings s;
        try {
            source = ConfigSource.resolve(config == null ? null : ArgvBytes.text(config),
                    System.getenv("KRAKEN_CONFIG"), ConfigSource.SYSTEM_FILE);
            s = ConfigLoader.load(source);
        } catch (ConfigException e) {
            report.message(e.getMessage());
            return 1;
        }
        if (s.statusHost == null && s.statusPath == null) {
            report.message("status: kraken.status is not set in " + source.describe()
                    + " (set kraken.status = {host = \"127.0.0.1\", port = 9100} or {path = \"/run/kraken.status\"})");
            return 1;
        }
        String where = s.statusPath != null ? s.statusPath
                : HostPort.format(s.statusHost, s.statusPort);
        byte[] answer;
        try {
            answer = fetch(s, metrics ? "/metrics" : "/status");
        } catch (IOException e) {
            report.message("status: no master answers at " + where + ": " + e.getMessage());
            return NOT_RUNNING;
        }
        String text = new String(answer, StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        String statusLine = text.substring(0, Math.max(0, text.indexOf("\r\n")));
        if (split < 0 || !statusLine.matches("HTTP/1\\.[01] 200 .*")) {
            report.message("status: " + where + " answered " + (statusLine.isEmpty() ? "nothing usable" : statusLine));
            return 1;
        }
        out.print(text.substring(split + 4));
        out.flush();
        return 0;
    }

    private static byte[] fetch(Settings s, String path) throws IOException {
        SocketAddress addr;
        SocketChannel ch;
        if (s.statusPath != null) {
            addr = UnixDomainSocketAddress.of(s.statusPath);
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            // The master listens on every address for "*": ask it on the loopback.
            String host = s.statusHost.equals("*") ? "127.0.0.1" : s.statusHost;
            addr = new InetSocketAddress(host, s.statusPort);
            if (((InetSocketAddress) addr).isUnresolved()) {
                throw new IOException("unknown host");
            }
            ch = SocketChannel.open();
        }
        // A master that accepts and never answers must not hang the command: close it at the deadline.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(DEADLINE_MS);
                ch.close();
            } catch (InterruptedException | IOException e) {
                // done in time
            }
        }, "status-deadline");
        watchdog.setDaemon(true);
        watchdog.start();
        try (ch) {
            ch.connect(addr);
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                got.write(buf.array(), 0, buf.position());
                buf.clear();
                if (got.size() > (16 << 20)) {
                    throw new IOException("answer too long");
                }
            }
            return got.toByteArray();
        } catch (java.nio.channels.AsynchronousCloseException e) {
            throw new IOException("no answer within " + DEADLINE_MS / 1000 + " s");
        } catch (IOException e) {
            String m = e.getMessage();
            throw new IOException(m == null ? e.getClass().getSimpleName() : m);
        } finally {
            watchdog.interrupt();
        }
    }
}
