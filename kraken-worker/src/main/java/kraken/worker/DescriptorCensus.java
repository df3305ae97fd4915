package kraken.worker;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The descriptors a "state" worker holds between connections, from /proc/self/fd (a process may
 * always list its own, dumpable or not). After a connection and
 * {@link kraken.lua.runtime.ConnectionResources#closeAll}, a descriptor that was not there before is
 * one the connection left that Kraken does not know how to close (a child's pipe from
 * io.popen, say): the worker then retires instead of serving another connection with it.
 * Closing an unknown descriptor is never safe in a JVM, which may own it; the JVM's own lazily
 * opened class-path files (.jar, .jsa) join the baseline instead.
 */
final class DescriptorCensus {
    private final Set<String> baseline;

    DescriptorCensus() {
        this.baseline = list();
    }

    /** What is open now that was not at the baseline, as "fd -> target"; empty when clean. */
    List<String> leftOver() {
        List<String> extra = new ArrayList<>();
        for (String fd : list()) {
            if (baseline.contains(fd)) {
                continue;
            }
            String target = target(fd);
            if (target == null) {
                continue; // closed meanwhile: the listing's own descriptor
            }
            if (target.endsWith(".jar") || target.endsWith(".jsa")) {
                baseline.add(fd);
                continue;
            }
            extra.add(fd + " -> " + target);
        }
        return extra;
    }

    private static Set<String> list() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? new HashSet<>() : new HashSet<>(Arrays.asList(names));
    }

    // java.io, not java.nio.file: NIO would load libnet into every worker and keep a socket open.
    private static String target(String fd) {
        try {
            File f = new File("/proc/self/fd/" + fd);
            String t = f.getCanonicalPath();
            return f.exists() ? t : null;
        } catch (IOException e) {
            return null;
        }
    }
}
