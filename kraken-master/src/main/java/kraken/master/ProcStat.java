package kraken.master;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads a process's CPU time from /proc, for the "ready" log line. */
final class ProcStat {
    private ProcStat() {}

    /**
     * Whether pid is stopped (state T, or t under a tracer): a sibling of the same user can
     * SIGSTOP a ready worker, which would then hold every connection handed to it until
     * kraken.limits.time. One read of /proc/PID/stat: 35-65 us measured on a loaded 2-core machine.
     */
    static boolean isStopped(int pid) {
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            byte[] b = in.readNBytes(512);
            String stat = new String(b, StandardCharsets.ISO_8859_1);
            int i = stat.lastIndexOf(')');
            char state = i >= 0 && i + 2 < stat.length() ? stat.charAt(i + 2) : '?';
            return state == 'T' || state == 't';
        } catch (IOException | RuntimeException e) {
            return false; // gone: the hand-over fails on its own
        }
    }

    static long cpuMillis(int pid) {
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            String stat = new String(in.readNBytes(1024), StandardCharsets.ISO_8859_1);
            int i = stat.lastIndexOf(')') + 2;
            // Fields 14 and 15 of stat(5), utime and stime, in clock ticks of 1/100 s.
            for (int field = 3; field < 14; field++) {
                i = stat.indexOf(' ', i) + 1;
            }
            int j = stat.indexOf(' ', i);
            int k = stat.indexOf(' ', j + 1);
            return (Long.parseLong(stat.substring(i, j)) + Long.parseLong(stat.substring(j + 1, k))) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
