/*
 * notes/connection-cost.md: the CPU of Image.instantiate (a "state" worker's fresh state per
 * connection) for one script's image, as the median of 5,000 single calls' thread CPU, per round,
 * after 10 s of warm-up; the rounds show the machine's speed changes that a single median hides.
 * Usage: java -XX:+UseSerialGC -Xmx256m -Xss8m -Dkraken.native=build/lib/libkraken.so \
 *          -cp "build/lib/*" [-Drounds=3] bench/InstantiateMedian.java examples/hello.lua
 */
import java.lang.management.*;
import java.nio.file.*;
import kraken.image.*;
import kraken.lua.module.*;
import kraken.settings.Settings;
import org.luaj.vm2.*;
public class InstantiateMedian {
    public static void main(String[] a) throws Exception {
        Path script = Path.of(a[0]).toAbsolutePath();
        Settings s = new Settings();
        Image image = Image.read(TopLevel.image(s, Files.readString(script, java.nio.charset.StandardCharsets.ISO_8859_1), "@" + script), ImageLimits.forHeap(s));
        LoopHandler none = r -> LuaValue.NONE;
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) image.instantiate(s, new Registry(), none, script.getParent());
        StringBuilder out = new StringBuilder();
        for (int round = 0; round < Integer.getInteger("rounds", 3); round++) {
            long[] ns = new long[5000];
            for (int i = 0; i < ns.length; i++) {
                long c = t.getCurrentThreadCpuTime();
                image.instantiate(s, new Registry(), none, script.getParent());
                ns[i] = t.getCurrentThreadCpuTime() - c;
            }
            java.util.Arrays.sort(ns);
            out.append(String.format(" %.1f", ns[2500] / 1e3));
        }
        System.out.println("median us per instantiate (rounds of 5000 calls):" + out);
    }
}
