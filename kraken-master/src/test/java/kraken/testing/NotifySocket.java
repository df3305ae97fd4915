package kraken.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;

/** What systemd would be for sd_notify: an AF_UNIX datagram socket that collects the messages. */
public final class NotifySocket implements AutoCloseable {
    public final String name;
    private final Fd fd;
    private final Path file;
    private final List<String> messages = new ArrayList<>();

    /** Bound to a path (name starts with "/") or an abstract name ("@..."). */
    public NotifySocket(String name) throws PosixException {
        this.name = name;
        this.file = name.startsWith("/") ? Path.of(name) : null;
        fd = new Fd(Sockets.socket(Posix.Constant.AF_UNIX.value, Posix.Constant.SOCK_DGRAM.value, 0));
        Sockets.bindUnix(fd.get(), SocketAddress.unixPathBytes(name));
    }

    /** Every message received so far, in order. */
    public synchronized List<String> messages() {
        byte[] b = new byte[4096];
        while (true) {
            try {
                int n = Sockets.recv(fd.get(), b, 0, b.length, Posix.Constant.MSG_DONTWAIT.value);
                messages.add(new String(b, 0, n, StandardCharsets.UTF_8));
            } catch (PosixException e) {
                return List.copyOf(messages);
            }
        }
    }

    /** Waits for the count-th message (1-based, over all so far) that contains text; returns it. */
    public String await(String text, int count, Duration deadline) {
        String[] found = new String[1];
        Poll.until(count + " notify message(s) with " + text + " (got " + messages() + ")", deadline, () -> {
            int seen = 0;
            for (String m : messages()) {
                if (m.contains(text) && ++seen == count) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    public int count(String text) {
        int n = 0;
        for (String m : messages()) {
            if (m.contains(text)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() throws Exception {
        fd.close();
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }
}
