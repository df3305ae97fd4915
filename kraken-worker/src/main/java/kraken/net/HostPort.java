package kraken.net;

/** The one way Kraken writes an address and a port: "127.0.0.1:80", "[::1]:80" (RFC 3986 brackets). */
public final class HostPort {
    private HostPort() {}

    /** host:port, the host in brackets when it is an IPv6 address (it holds a colon). */
    public static String format(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
