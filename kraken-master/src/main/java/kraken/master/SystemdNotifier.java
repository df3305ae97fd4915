package kraken.master;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;
import kraken.posix.ThisProcess;

/**
 * sd_notify(3) without libsystemd: one datagram per state change to the AF_UNIX socket named by
 * NOTIFY_SOCKET (a path, or an abstract name when it starts with "@"). The supervisor calls it;
 * a send never blocks (MSG_DONTWAIT), and a failing socket is reported once in the log and then
 * left alone, so systemd being slow or gone can never stall dispatch.
 *
 * <p>What it says, as HAProxy's master does: READY=1 once a worker is ready; RELOADING=1 with
 * MONOTONIC_USEC (CLOCK_MONOTONIC, which System.nanoTime reads on Linux) at a HUP, then READY=1
 * when a worker of the new generation is ready; STOPPING=1 at a graceful stop; a STATUS= line with
 * each; and, when WATCHDOG_USEC asks (and WATCHDOG_PID, if set, is us), WATCHDOG=1 every half of
 * that interval from the supervisor thread, so a stuck supervisor is a missed keep-alive.
 */
final class SystemdNotifier implements AutoCloseable {
    private final Fd socket;
    private final byte[] address;
    private final String target;
    private final long watchdogNanos;
    private long nextWatchdog = Long.MAX_VALUE;
    private boolean failed;
    private boolean errorLogged;
    private boolean readySent;
    private boolean reloading;

    private SystemdNotifier(Fd socket, byte[] address, String target, long watchdogNanos) {
        this.socket = socket;
        this.address = address;
        this.target = target;
        this.watchdogNanos = watchdogNanos;
    }

    /** A notifier that says nothing: no NOTIFY_SOCKET. */
    static SystemdNotifier none() {
        return new SystemdNotifier(null, null, null, 0);
    }

    static SystemdNotifier fromEnvironment(Map<String, String> env) {
        String where = env.get("NOTIFY_SOCKET");
        if (where == null || where.isEmpty()) {
            return none();
        }
        if (!(where.startsWith("/") || where.startsWith("@")) || where.getBytes(StandardCharsets.UTF_8).length > 107) {
            MasterLog.info("systemd: NOTIFY_SOCKET " + where
                    + " is neither a path nor an abstract name; not notifying");
            return none();
        }
        Fd fd;
        try {
            fd = new Fd(Sockets.socket(Posix.Constant.AF_UNIX.value, Posix.Constant.SOCK_DGRAM.value, 0));
            Sockets.setNonBlocking(fd.get(), true);
        } catch (PosixException e) {
            MasterLog.info("systemd: cannot notify " + where + ": " + e.getMessage());
            return none();
        }
        return new SystemdNotifier(fd, SocketAddress.unixPathBytes(where), where, watchdogInterval(env));
    }

    /** The keep-alive period (half of WATCHDOG_USEC) in nanoseconds, or 0 when none is asked of us. */
    static long watchdogInterval(Map<String, String> env) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null) {
            return 0;
        }
        String pid = env.get("WATCHDOG_PID");
        if (pid != null && !pid.trim().equals(Integer.toString(ThisProcess.getpid()))) {
            return 0;
        }
        try {
            long us = Long.parseLong(usec.trim());
            return us > 0 ? us * 1000 / 2 : 0;
        } catch (NumberFormatException e) {
            MasterLog.info("systemd: WATCHDOG_USEC=" + usec + " is not a number; no watchdog");
            return 0;
        }
    }

    boolean enabled() {
        return socket != null;
    }

    /** A worker became ready: the first time, the service is up; after a HUP, the reload is done. */
    void workerReady(String status) {
        if (!readySent || reloading) {
            readySent = true;
            reloading = false;
            send("READY=1\nSTATUS=" + status);
        }
    }

    /** A HUP: systemd's reload lasts until the next READY=1. */
    void reloading(long nowNanos) {
        reloading = true;
        send("RELOADING=1\nSTATUS=reloading: restarting workers\nMONOTONIC_USEC=" + nowNanos / 1000);
    }

    /** After a HUP whose workers cannot start: end systemd's reload anyway, saying why. */
    void reloadFailed(String why) {
        if (reloading) {
            reloading = false;
            send("READY=1\nSTATUS=reload: " + why);
        }
    }

    void stopping() {
        send("STOPPING=1\nSTATUS=stopping: waiting for busy workers");
    }

    void status(String status) {
        send("STATUS=" + status);
    }

    /** When the supervisor must next wake for the watchdog; Long.MAX_VALUE when never. */
    long nextDeadline(long now) {
        if (socket == null || watchdogNanos == 0) {
            return Long.MAX_VALUE;
        }
        if (nextWatchdog == Long.MAX_VALUE) {
            nextWatchdog = now;
        }
        return nextWatchdog;
    }

    /** Sends WATCHDOG=1 when due. */
    void tick(long now) {
        if (socket == null || watchdogNanos == 0) {
            return;
        }
        if (nextWatchdog == Long.MAX_VALUE || now >= nextWatchdog) {
            send("WATCHDOG=1");
            nextWatchdog = now + watchdogNanos;
        }
    }

    private void send(String message) {
        if (socket == null || failed) {
            return;
        }
        byte[] b = message.replace("\r", " ").getBytes(StandardCharsets.UTF_8);
        if (b.length > 4000) {
            b = java.util.Arrays.copyOf(b, 4000);
        }
        try {
            Sockets.sendtoUnix(socket.get(), b, b.length, address);
        } catch (PosixException e) {
            // Logged once. A full socket (EAGAIN) loses this message only; any other error ends
            // notifying, since a socket that refuses now will refuse every time.
            if (!e.isWouldBlock()) {
                failed = true;
            }
            if (!errorLogged) {
                errorLogged = true;
                MasterLog.info("systemd: cannot notify " + target + ": " + e.reason()
                        + (failed ? "; no further notifications" : "; this message is lost"));
            }
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
    }
}
