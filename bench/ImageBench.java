import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import kraken.image.Image;
import kraken.image.ImageLimits;
import kraken.image.TopLevel;
import kraken.lua.module.LoopHandler;
import kraken.lua.runtime.LuaRuntime;
import kraken.lua.module.Registry;
import kraken.settings.Settings;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;

/**
 * make bench, the image (docs/processes.md, "Who runs what"): for each script, the size of its image at
 * kraken.loop() and the CPU a "state" worker spends on a fresh state per connection, by the
 * copy of the image (now) and by rerunning the compiled top level (before the image), with a bare
 * fresh state as the floor. Run as a single source file against build/lib (java ImageBench.java).
 */
public final class ImageBench {
    /** Ends a replay at kraken.loop(), as the old worker did. */
    static final class Stop extends Error {
        Stop() {
            super(null, null, false, false);
        }
    }

    static final LoopHandler STOP = new LoopHandler() {
        @Override
        public Varargs loop(Registry registry) {
            throw new Stop();
        }
    };

    static final LoopHandler NONE = new LoopHandler() {
        @Override
        public Varargs loop(Registry registry) {
            return LuaValue.NONE;
        }
    };

    interface Body {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "2"));
        System.out.println("| script | lines of Lua run (script + modules) | image bytes | records | fresh state µs | copy of the image µs | rerun of the top level µs | rerun / copy | Image.read µs |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String a : args) {
            Path script = Path.of(a).toAbsolutePath();
            Path dir = script.getParent();
            String source = Files.readString(script, StandardCharsets.ISO_8859_1);
            Settings s = new Settings();
            byte[] bytes = TopLevel.image(s, source, "@" + script);
            long limit = ImageLimits.forHeap(s);
            Image image = Image.read(bytes, limit);
            Globals compiler = LuaRuntime.createForImage(s, new Registry(), NONE, dir);
            Prototype proto = compiler.compilePrototype(new java.io.ByteArrayInputStream(source.getBytes(StandardCharsets.ISO_8859_1)), "@" + script);
            Body[] modes = {
                () -> LuaRuntime.createForImage(s, new Registry(), NONE, dir),
                () -> image.instantiate(s, new Registry(), NONE, dir),
                () -> {
                    Globals g = LuaRuntime.createForImage(s, new Registry(), STOP, dir);
                    try {
                        new LuaClosure(proto, g).call();
                    } catch (Stop reached) {
                        return;
                    }
                    throw new IllegalStateException("no kraken.loop()");
                },
                () -> Image.read(bytes, limit),
            };
            double[] us = measure(seconds, modes);
            double fresh = us[0];
            double copy = us[1];
            double rerun = us[2];
            double read = us[3];
            System.out.printf("| %s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", script.getFileName(), linesRun(image, s, script), bytes.length,
                    image.records(), fresh, copy, rerun, rerun / copy, read);
        }
    }

    /** Lines of the script and of every module in its copy's package.loaded that is a file on package.path. */
    static long linesRun(Image image, Settings s, Path script) throws Exception {
        long lines = Files.readAllLines(script, StandardCharsets.ISO_8859_1).size();
        Globals g = image.instantiate(s, new Registry(), NONE, script.getParent());
        String[] templates = g.get("package").get("path").tojstring().split(";");
        LuaValue loaded = g.get("package").get("loaded");
        LuaValue k = LuaValue.NIL;
        while (!(k = loaded.next(k).arg1()).isnil()) {
            for (String t : templates) {
                Path f = Path.of(t.replace("?", k.tojstring().replace('.', '/')));
                if (Files.isRegularFile(f)) {
                    lines += Files.readAllLines(f, StandardCharsets.ISO_8859_1).size();
                    break;
                }
            }
        }
        return lines;
    }

    /**
     * CPU µs per call of each body: the calling thread's CPU (the JIT's threads and SerialGC's
     * collections, done on the VM thread, are not in it), the median of seven batches taken in
     * turn, after every body was warmed up for the given seconds.
     */
    static double[] measure(double seconds, Body[] bodies) throws Exception {
        java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
        int[] batch = new int[bodies.length];
        for (int k = 0; k < bodies.length; k++) {
            long until = System.nanoTime() + (long) (seconds * 1e9);
            int n = 0;
            while (System.nanoTime() < until || n < 20) {
                bodies[k].run();
                n++;
            }
            batch[k] = Math.max(10, n / 10);
        }
        double[][] per = new double[bodies.length][7];
        for (int round = 0; round < 7; round++) {
            for (int k = 0; k < bodies.length; k++) {
                long cpu = t.getCurrentThreadCpuTime();
                for (int i = 0; i < batch[k]; i++) {
                    bodies[k].run();
                }
                per[k][round] = (t.getCurrentThreadCpuTime() - cpu) / 1e3 / batch[k];
            }
        }
        double[] median = new double[bodies.length];
        for (int k = 0; k < bodies.length; k++) {
            java.util.Arrays.sort(per[k]);
            median[k] = per[k][3];
        }
        return median;
    }
}
