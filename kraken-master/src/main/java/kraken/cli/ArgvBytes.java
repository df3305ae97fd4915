package kraken.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line as the bytes the user typed. Lua strings are bytes, but the JVM decodes its
 * arguments with the locale's charset, which loses every non-ASCII byte under the C locale; the
 * kernel keeps the original in /proc/self/cmdline, where our arguments are the last ones.
 */
final class ArgvBytes {
    private ArgvBytes() {}

    /**
     * Each argument with one char per byte (ISO-8859-1), so that no byte is lost and ASCII option
     * names parse as usual. Falls back to the JVM's strings when /proc does not agree with them.
     */
    static String[] of(String[] args) {
        List<String> raw = cmdline();
        if (raw.size() >= args.length) {
            List<String> ours = raw.subList(raw.size() - args.length, raw.size());
            if (agrees(ours, args)) {
                return ours.toArray(new String[0]);
            }
        }
        String[] bytes = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = fromText(args[i]);
        }
        return bytes;
    }

    /** Text (an environment variable, say) as its UTF-8 bytes, one char each. */
    static String fromText(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** Bytes (one char each) to text, for names and paths that leave Lua: UTF-8. */
    static String text(String byteString) {
        return new String(byteString.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static List<String> cmdline() {
        List<String> out = new ArrayList<>();
        byte[] b;
        try {
            b = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException | SecurityException e) {
            return out;
        }
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                out.add(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return out;
    }

    // Every argument the JVM decoded without loss (pure ASCII) must be the same bytes in /proc.
    private static boolean agrees(List<String> raw, String[] args) {
        for (int i = 0; i < args.length; i++) {
            boolean ascii = args[i].chars().allMatch(c -> c < 128);
            if (ascii ? !raw.get(i).equals(args[i]) : raw.get(i).chars().allMatch(c -> c < 128)) {
                return false;
            }
        }
        return true;
    }
}
