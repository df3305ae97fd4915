package kraken.master;

import kraken.lua.module.Registry;
import kraken.net.HostPort;
import kraken.posix.SocketAddress;

/**
 * Who a connection is from, as the application's address table says it ({host, port}, plus path
 * for a Unix-domain listener) and as the log says it (with the proxy, when a PROXY header named
 * the client).
 *
 * @param path the listener's path for a Unix-domain listener, else null
 * @param log how the log names the peer
 */
record ClientAddress(String host, int port, String path, String log) {

    /** The peer as accept(2) reported it. */
    static ClientAddress accepted(SocketAddress peer, Registry.Address listener) {
        if (listener.isUnix() || peer.isUnix()) {
            return new ClientAddress("unix", 0, listener.path(), "unix:" + listener.path());
        }
        return new ClientAddress(peer.host(), peer.port(), null, peer.toString());
    }

    /** The client a PROXY header named, reached through the proxy that connected. */
    static ClientAddress proxied(String host, int port, SocketAddress proxy) {
        return new ClientAddress(host, port, null, HostPort.format(host, port) + " via proxy " + proxy);
    }

    @Override
    public String toString() {
        return log;
    }
}
