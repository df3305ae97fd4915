package kraken.lua.module;

import kraken.lua.runtime.Libraries;
import kraken.lua51.CoroutineLimit;
import java.util.ArrayList;
import java.util.List;
import kraken.net.HostPort;
import org.luaj.vm2.LuaThread;

/** What a script registered through the kraken module before calling kraken.loop(). */
public final class Registry {
    /**
     * A registered listening address; host "*" is the any-address. A Unix-domain listener has
     * host "unix", port 0 and its path (null for an IP address).
     */
    public record Address(String host, int port, String path) {
        public Address(String host, int port) {
            this(host, port, null);
        }

        public static Address unix(String path) {
            return new Address("unix", 0, path);
        }

        public boolean isUnix() {
            return path != null;
        }

        @Override
        public String toString() {
            if (path != null) {
                return "unix:" + path;
            }
            return HostPort.format(host, port);
        }
    }

    private LuaThread application;
    private final ApplicationRunner runner = new ApplicationRunner();
    private final List<Address> addresses = new ArrayList<>();
    /** The coroutines of this state (kraken.limits.coroutines). */
    private CoroutineLimit coroutines = new CoroutineLimit(Integer.MAX_VALUE);
    /** A user name or a decimal uid, as the script gave it; null when none was registered. */
    private String user;
    /** The library objects of the state when it was fresh; null for a state copied from an image. */
    private Libraries libraries;

    /** Runs the application for a connection in this state (see ApplicationRunner). */
    public ApplicationRunner runner() {
        return runner;
    }

    public LuaThread application() {
        return application;
    }

    public void setApplication(LuaThread co) {
        this.application = co;
    }

    public List<Address> addresses() {
        return addresses;
    }

    public void addAddress(Address a) {
        addresses.add(a);
    }

    public CoroutineLimit coroutines() {
        return coroutines;
    }

    public void setCoroutines(CoroutineLimit c) {
        this.coroutines = c;
    }

    public Libraries libraries() {
        return libraries;
    }

    /** Set by LuaRuntime.create, before any script runs. */
    public void setLibraries(Libraries l) {
        this.libraries = l;
    }

    public String user() {
        return user;
    }

    public void setUser(String user) {
        this.user = user;
    }
}
