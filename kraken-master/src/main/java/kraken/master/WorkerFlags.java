package kraken.master;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import kraken.settings.Settings;

/**
 * JVM flags for workers: small, short-lived processes. A "process" worker serves one connection,
 * so C1 alone, and late, is the right JIT (C2 would compile code it never runs again); the serial collector
 * has the smallest footprint; no perf-data file; class data sharing from the archive that
 * `make` builds (an AOT cache on JDK 24 and later).
 */
final class WorkerFlags {
    private WorkerFlags() {}

    static List<String> jvmFlags(Settings s) {
        List<String> f = new ArrayList<>();
        f.add("-XX:+UseSerialGC");
        f.add("-XX:-UsePerfData");
        f.add("-XX:+ExitOnOutOfMemoryError");
        f.add("-Xmx" + s.limitMemory);
        f.add("-Xss1m");
        // The JVM's own warnings default to stdout, which belongs to the script's print.
        f.add("-Xlog:disable");
        f.add("-Xlog:all=warning:stderr");
        // libkraken.so is loaded with System.load, a "restricted method" that JDK 24+ warns about.
        f.add("--enable-native-access=ALL-UNNAMED");
        // C1 alone in both isolations: a "state" worker lives kraken.workers.connections (10000 by default;
        // measured at 1000, C2's slower warm-up did not pay off: twice the
        // connections per second with C1 alone at C=16).
        f.add("-XX:TieredStopAtLevel=1");
        // No container detection: a worker's heap and stack are set above, and the JVM's compiler
        // threads otherwise read the memory cgroup's files now and then (os::available_memory,
        // to decide whether to add a compiler thread). A "state" worker's descriptor census that
        // caught one open retired the worker as if its connection had leaked it: 9 of the 47
        // worker starts of one `make bench` run (notes/connection-cost.md).
        f.add("-XX:-UseContainerSupport");
        if (s.stateIsolation()) {
            // A "state" worker touches all of its young generation between collections, and
            // keeps it: with the default (a third of the heap) an idle worker held 37 MB of PSS;
            // with 4 MB, 22 MB (measured, notes/connection-cost.md). A connection's garbage is
            // small and short-lived, so a small young generation costs little collection.
            f.add("-Xmn4m");
        } else {
            // C1 compiling the start-up path (class initialisers, the Lua compiler) costs a third of
            // a worker's start and runs once. Ten times the thresholds leave that to the
            // interpreter; a hot Lua loop is still compiled within milliseconds.
            f.add("-XX:CompileThresholdScaling=10");
        }
        // Map the class-data archives where they were built: Debian's JDK 17 relocates them to a
        // random address by default, which writes to (so privately copies) ~10 MB of the JDK's
        // archive in every worker, ~3 MB of PSS each. Workers run Lua, which cannot corrupt
        // memory, so the archive's address randomisation buys them little.
        f.add("-XX:+UnlockDiagnosticVMOptions");
        f.add("-XX:ArchiveRelocationMode=0");
        f.addAll(sharingFlags());
        String extra = System.getenv("KRAKEN_WORKER_OPTS");
        if (extra != null && !extra.isBlank()) {
            f.addAll(List.of(extra.trim().split("\\s+")));
        }
        return f;
    }

    /** Which class-data archive workers get on this JDK, for the master's first log lines. */
    static String sharingDescription() {
        List<String> f = sharingFlags();
        if (f.isEmpty()) {
            return "no class-data archive (run make; the JDK's own CDS only)";
        }
        String flag = f.get(0);
        return flag.startsWith("-XX:AOTCache=")
                ? "the AOT cache " + flag.substring(flag.indexOf('=') + 1) + " (classes and a training connection's profile)"
                : "the CDS archive " + flag.substring(flag.indexOf('=') + 1);
    }

    // The archive sits beside the jars (build/lib or PREFIX/lib/kraken), made by `make`.
    private static List<String> sharingFlags() {
        String lib = System.getProperty("kraken.lib");
        if (lib == null) {
            return List.of();
        }
        if (Runtime.version().feature() >= 24) {
            File aot = new File(lib, "worker-" + Runtime.version().feature() + ".aot");
            if (aot.isFile()) {
                return List.of("-XX:AOTCache=" + aot.getPath());
            }
        }
        File jsa = new File(lib, "worker-" + Runtime.version().feature() + ".jsa");
        return jsa.isFile() ? List.of("-XX:SharedArchiveFile=" + jsa.getPath(), "-Xshare:auto") : List.of();
    }
}
