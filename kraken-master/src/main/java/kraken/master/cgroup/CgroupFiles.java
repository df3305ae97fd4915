package kraken.master.cgroup;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and writes the files of a control group. Each is one open, one read or write, one
 * close: the kernel answers a cgroup file from a buffer it builds at open, and a write is one
 * order. Errors name the file, since the kernel's own text ("No space left on device" for a
 * write over pids.max, "Device or resource busy") says nothing of where.
 */
final class CgroupFiles {
    private CgroupFiles() {}

    static void write(Path file, String value) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            out.write(value.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IOException("cannot write " + value.trim() + " to " + file + ": " + e.getMessage(), e);
        }
    }

    // Read to the end into one small buffer: readAllBytes first asks for the file's size and
    // position (an fstat and an lseek, for a size the kernel gives as 0 for a cgroup file) and
    // allocates 8 KB; cgroup.procs is read at every connection's end.
    static String read(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            byte[] b = new byte[256];
            int n = 0;
            for (int r; (r = in.read(b, n, b.length - n)) > 0; ) {
                n += r;
                if (n == b.length) {
                    b = Arrays.copyOf(b, n * 2);
                }
            }
            return new String(b, 0, n, StandardCharsets.US_ASCII);
        }
    }

    /** The file as one number ("max" is Long.MAX_VALUE); -1 when it cannot be read. */
    static long readLong(Path file) {
        try {
            return parseLong(read(file));
        } catch (IOException e) {
            return -1;
        }
    }

    /** A file's text as one number ("max" is Long.MAX_VALUE); -1 when it is not one. */
    static long parseLong(String text) {
        String s = text.trim();
        try {
            return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The number after key in a "key value" per line file (pids.events, memory.events, cpu.stat); -1 if absent. */
    static long readKey(Path file, String key) {
        try {
            return parseKey(read(file), key);
        } catch (IOException e) {
            return -1;
        }
    }

    static long parseKey(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key) && line.length() > key.length() && line.charAt(key.length()) == ' ') {
                try {
                    return Long.parseLong(line.substring(key.length() + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The processes listed in cgroup.procs; none when the group is gone. */
    static int[] pids(Path procs) {
        try {
            return parsePids(read(procs));
        } catch (IOException e) {
            return new int[0];
        }
    }

    /** The pids of a cgroup.procs text, one a line. */
    static int[] parsePids(String s) {
        int[] out = new int[8];
        int n = 0;
        int value = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
            } else if (value >= 0) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = value;
                value = -1;
            }
        }
        if (value >= 0) {
            out = n == out.length ? Arrays.copyOf(out, n + 1) : out;
            out[n++] = value;
        }
        return Arrays.copyOf(out, n);
    }

    /** Removes an empty group's directory; false while processes are still in it (EBUSY). */
    static boolean remove(Path dir) {
        try {
            Files.delete(dir);
            return true;
        } catch (NoSuchFileException gone) {
            return true;
        } catch (IOException busy) {
            return false;
        }
    }
}
