package kraken.master;

import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import kraken.lua.module.Registry;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.SocketAddress;
import kraken.posix.Sockets;

/**
 * The master's listening sockets, one per registered address: taken over from systemd when it
 * passed one bound to that address (socket activation), bound here otherwise. A Unix-domain
 * socket file this class created is removed when the listeners close; one systemd created is
 * systemd's and stays.
 */
final class Listeners {
    private static final int BACKLOG = 1024;

    private final List<Fd> sockets = new ArrayList<>();
    private final List<Registry.Address> addresses = new ArrayList<>();
    private final List<Path> createdFiles = new ArrayList<>();
    private boolean closed;

    /** Binds every address; on any failure closes what it opened and throws with the address. */
    static Listeners bind(List<Registry.Address> list) throws IOException {
        return bind(list, SocketActivation.none());
    }

    /**
     * Serves each address from the socket systemd passed for it, binds the others, then closes
     * the passed sockets that no address claimed. On a failure closes what it opened and throws.
     */
    static Listeners bind(List<Registry.Address> list, SocketActivation activation) throws IOException {
        Listeners l = new Listeners();
        try {
            for (Registry.Address a : list) {
                Fd inherited = activation.take(a);
                l.sockets.add(inherited != null ? inherited : l.open(a));
                l.addresses.add(a);
            }
            activation.closeUnclaimed();
            return l;
        } catch (IOException e) {
            l.close();
            activation.closeUnclaimed();
            throw e;
        }
    }

    private Fd open(Registry.Address a) throws IOException {
        if (a.isUnix()) {
            return openUnix(a);
        }
        boolean v6 = a.host().indexOf(':') >= 0;
        SocketAddress addr;
        try {
            addr = SocketAddress.of(a.host(), a.port(), v6);
        } catch (UnknownHostException e) {
            throw new IOException("bind " + a + ": unknown host");
        }
        v6 = addr.isIpv6();
        Fd fd = new Fd(Sockets.socket(v6 ? Posix.Constant.AF_INET6.value : Posix.Constant.AF_INET.value,
                Posix.Constant.SOCK_STREAM.value, 0));
        try {
            Sockets.setsockopt(fd.get(), Posix.Constant.SOL_SOCKET.value, Posix.Constant.SO_REUSEADDR.value, 1);
            if (v6) {
                // "::" and "*" (0.0.0.0) may both be registered on one port.
                Sockets.setsockopt(fd.get(), Posix.Constant.IPPROTO_IPV6.value, Posix.Constant.IPV6_V6ONLY.value, 1);
            }
            Sockets.bind(fd.get(), addr.address(), addr.port());
            return listening(fd);
        } catch (IOException e) {
            fd.close();
            throw new IOException("bind " + a + ": " + reason(e));
        }
    }

    /**
     * Listens on a bound socket, non-blocking: accept only when the loop says so, so that a client
     * that reset never blocks the supervisor.
     */
    private static Fd listening(Fd fd) throws IOException {
        Sockets.listen(fd.get(), BACKLOG);
        Sockets.setNonBlocking(fd.get(), true);
        return fd;
    }

    private Fd openUnix(Registry.Address a) throws IOException {
        byte[] name = SocketAddress.unixPathBytes(a.path());
        boolean abstractName = a.path().startsWith("@");
        if (!abstractName) {
            removeStaleSocket(a);
        }
        Fd fd = new Fd(Sockets.socket(Posix.Constant.AF_UNIX.value, Posix.Constant.SOCK_STREAM.value, 0));
        try {
            Sockets.bindUnix(fd.get(), name);
            if (!abstractName) {
                createdFiles.add(Path.of(a.path()));
            }
            return listening(fd);
        } catch (IOException e) {
            fd.close();
            throw new IOException("bind " + a + ": " + reason(e));
        }
    }

    /**
     * A socket file left by a master that died without removing it refuses connections: it is
     * removed. A file that is not a socket, or a socket someone still listens on, is left alone,
     * and the bind then fails with "Address already in use".
     */
    private static void removeStaleSocket(Registry.Address a) throws IOException {
        Path p = Path.of(a.path());
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException absent) {
            return;
        }
        if (!attrs.isOther()) {
            return;
        }
        try (Fd probe = new Fd(Sockets.socket(Posix.Constant.AF_UNIX.value, Posix.Constant.SOCK_STREAM.value, 0))) {
            Sockets.connectUnix(probe.get(), SocketAddress.unixPathBytes(a.path()));
        } catch (PosixException e) {
            if (e.isRefused()) {
                Files.deleteIfExists(p);
                MasterLog.info("removed the stale socket file " + a.path());
            }
        }
    }

    private static String reason(IOException e) {
        return e instanceof PosixException p ? p.reason() : e.getMessage();
    }

    List<Fd> sockets() {
        return sockets;
    }

    List<Registry.Address> addresses() {
        return addresses;
    }

    /** The registered address a listening socket serves. */
    Registry.Address addressOf(Fd listener) {
        for (int i = 0; i < sockets.size(); i++) {
            if (sockets.get(i) == listener) {
                return addresses.get(i);
            }
        }
        throw new IllegalArgumentException("not a listener: " + listener);
    }

    /** Closes every socket and removes the socket files this master created. Harmless twice. */
    void close() {
        for (Fd fd : sockets) {
            fd.close();
        }
        if (closed) {
            return;
        }
        closed = true;
        for (Path p : createdFiles) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                MasterLog.info("could not remove " + p + ": " + e.getMessage());
            }
        }
    }
}
