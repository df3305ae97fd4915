package kraken.master;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import kraken.lua.module.Registry;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;
import kraken.posix.ThisProcess;

/**
 * The listening sockets systemd passed to the master (sd_listen_fds(3), without libsystemd):
 * with LISTEN_PID equal to our pid and LISTEN_FDS = n, descriptors 3 .. 3+n-1 are ours. Each is
 * made close-on-exec at once, so it can never leak into a worker or any other child, and both
 * variables are removed from the environment, as sd_listen_fds(unset_environment = 1) does.
 * A registered address takes the socket bound to that very address (getsockname); the sockets
 * no address takes are logged and closed.
 */
final class SocketActivation {
    static final int FIRST_FD = 3;
    /** The variables systemd sets for the main process: never handed on to workers. */
    private static final Set<String> SYSTEMD_VARIABLES = Set.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
            "NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC");

    /** A passed socket not yet claimed, with its bound address. */
    private record Passed(Fd fd, SocketAddress bound, boolean dualStack, String name) {}

    private final List<Passed> unclaimed = new ArrayList<>();

    private SocketActivation() {}

    static SocketActivation none() {
        return new SocketActivation();
    }

    static boolean isSystemdVariable(String name) {
        return SYSTEMD_VARIABLES.contains(name);
    }

    /** The sockets the environment says were passed to this process; none when it says nothing. */
    static SocketActivation fromEnvironment(Map<String, String> env) {
        SocketActivation a = new SocketActivation();
        String pid = env.get("LISTEN_PID");
        String fds = env.get("LISTEN_FDS");
        if (pid == null || fds == null) {
            return a;
        }
        unset("LISTEN_PID");
        unset("LISTEN_FDS");
        unset("LISTEN_FDNAMES");
        // Meant for another process (a parent that exec'd us without clearing them): not ours.
        if (!pid.trim().equals(Integer.toString(ThisProcess.getpid()))) {
            MasterLog.info("socket activation: LISTEN_PID " + pid + " is not this process ("
                    + ThisProcess.getpid() + "); ignoring LISTEN_FDS");
            return a;
        }
        int n;
        try {
            n = Integer.parseInt(fds.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > 4096) {
            MasterLog.info("socket activation: LISTEN_FDS=" + fds + " is not a count; ignored");
            return a;
        }
        String[] names = env.getOrDefault("LISTEN_FDNAMES", "").split(":", -1);
        for (int i = 0; i < n; i++) {
            int fd = FIRST_FD + i;
            String name = i < names.length && !names[i].isEmpty() ? names[i] : null;
            a.adopt(fd, name);
        }
        return a;
    }

    private static void unset(String name) {
        try {
            ThisProcess.unsetenv(name);
        } catch (PosixException e) {
            MasterLog.info("socket activation: " + e.getMessage());
        }
    }

    private void adopt(int number, String name) {
        String label = "descriptor " + number + (name != null ? " (" + name + ")" : "");
        if (!Descriptors.isOpen(number)) {
            MasterLog.info("socket activation: " + label + " is not open; ignored");
            return;
        }
        Fd fd = new Fd(number);
        try {
            Descriptors.setCloseOnExec(number);
            SocketAddress bound = new SocketAddress();
            Sockets.getsockname(number, bound);
            int type = Sockets.getsockopt(number, Posix.Constant.SOL_SOCKET.value, Posix.Constant.SO_TYPE.value);
            int listening = Sockets.getsockopt(number, Posix.Constant.SOL_SOCKET.value,
                    Posix.Constant.SO_ACCEPTCONN.value);
            if (type != Posix.Constant.SOCK_STREAM.value || listening == 0) {
                MasterLog.info("socket activation: " + label + " (" + bound + ") is not a listening stream socket;"
                        + " closed");
                fd.close();
                return;
            }
            boolean dualStack = bound.isIpv6() && Sockets.getsockopt(number, Posix.Constant.IPPROTO_IPV6.value,
                    Posix.Constant.IPV6_V6ONLY.value) == 0;
            // The supervisor accepts only when poll says so.
            Sockets.setNonBlocking(number, true);
            unclaimed.add(new Passed(fd, bound, dualStack, name));
        } catch (PosixException e) {
            MasterLog.info("socket activation: " + label + " is not a usable socket (" + e.reason() + "); closed");
            fd.close();
        }
    }

    /** The passed socket bound to a's address, now the caller's to own; null when there is none. */
    Fd take(Registry.Address a) {
        Passed match = null;
        for (Passed p : unclaimed) {
            if (exactly(p, a)) {
                match = p;
                break;
            }
        }
        if (match == null && !a.isUnix() && "*".equals(a.host())) {
            // systemd's ListenStream=8001 is [::]:8001 taking IPv4 too: it serves host = "*" as well.
            for (Passed p : unclaimed) {
                if (p.dualStack() && p.bound().port() == a.port() && isAny(p.bound())) {
                    match = p;
                    break;
                }
            }
        }
        if (match == null) {
            return null;
        }
        unclaimed.remove(match);
        MasterLog.info("socket activation: serving " + a + " from the inherited descriptor " + match.fd().get()
                + (match.name() != null ? " (" + match.name() + ")" : ""));
        return match.fd();
    }

    private static boolean exactly(Passed p, Registry.Address a) {
        SocketAddress b = p.bound();
        if (a.isUnix()) {
            return b.isUnix() && samePath(b.path(), a.path());
        }
        if (!b.isIp() || b.port() != a.port()) {
            return false;
        }
        boolean v6 = a.host().indexOf(':') >= 0;
        try {
            SocketAddress want = SocketAddress.of(a.host(), a.port(), v6);
            return want.isIpv6() == b.isIpv6() && Arrays.equals(want.address(), b.address());
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean samePath(String bound, String registered) {
        if (bound.equals(registered)) {
            return true;
        }
        if (bound.startsWith("@") || registered.startsWith("@")) {
            return false;
        }
        return Path.of(bound).toAbsolutePath().normalize().equals(Path.of(registered).toAbsolutePath().normalize());
    }

    private static boolean isAny(SocketAddress s) {
        for (byte b : s.address()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Logs and closes every passed socket no registered address took. */
    void closeUnclaimed() {
        for (Passed p : unclaimed) {
            MasterLog.info("socket activation: no registered address is " + p.bound() + " (descriptor "
                    + p.fd().get() + (p.name() != null ? ", " + p.name() : "") + "); closed");
            p.fd().close();
        }
        unclaimed.clear();
    }
}
