package kraken.master;

import java.io.IOException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import kraken.lua.Registry;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.SocketAddress;

/** The master's listening sockets, one per registered address. */
final class Listeners {
    private static final int BACKLOG = 1024;

    private final List<Fd> sockets = new ArrayList<>();
    private final List<Registry.Address> addresses = new ArrayList<>();

    /** Binds every address; on any failure closes what it opened and throws with the address. */
    static Listeners bind(List<Registry.Address> list) throws IOException {
        Listeners l = new Listeners();
        try {
            for (Registry.Address a : list) {
                l.sockets.add(open(a));
                l.addresses.add(a);
            }
            return l;
        } catch (IOException e) {
            l.close();
            throw e;
        }
    }

    private static Fd open(Registry.Address a) throws IOException {
        boolean v6 = a.host().indexOf(':') >= 0;
        SocketAddress addr;
        try {
            addr = SocketAddress.of(a.host(), a.port(), v6);
        } catch (UnknownHostException e) {
            throw new IOException("bind " + a + ": unknown host");
        }
        v6 = addr.isIpv6();
        Fd fd = new Fd(Posix.socket(v6 ? Posix.Constant.AF_INET6.value : Posix.Constant.AF_INET.value,
                Posix.Constant.SOCK_STREAM.value, 0));
        try {
            Posix.setsockopt(fd.get(), Posix.Constant.SOL_SOCKET.value, Posix.Constant.SO_REUSEADDR.value, 1);
            if (v6) {
                // "::" and "*" (0.0.0.0) may both be registered on one port.
                Posix.setsockopt(fd.get(), Posix.Constant.IPPROTO_IPV6.value, Posix.Constant.IPV6_V6ONLY.value, 1);
            }
            Posix.bind(fd.get(), addr.address(), addr.port());
            Posix.listen(fd.get(), BACKLOG);
            // Accept only when poll says so; never block the supervisor on a client that reset.
            Posix.setNonBlocking(fd.get(), true);
            return fd;
        } catch (IOException e) {
            fd.close();
            throw new IOException("bind " + a + ": " + reason(e));
        }
    }

    private static String reason(IOException e) {
        return e instanceof kraken.posix.PosixException p ? p.reason() : e.getMessage();
    }

    List<Fd> sockets() {
        return sockets;
    }

    List<Registry.Address> addresses() {
        return addresses;
    }

    void close() {
        for (Fd fd : sockets) {
            fd.close();
        }
    }
}
