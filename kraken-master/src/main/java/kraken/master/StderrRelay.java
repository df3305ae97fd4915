package kraken.master;

import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.PosixException;

/**
 * Relays one worker's standard error to the master's log, line by line, holding a bounded amount
 * whatever the worker writes (docs/hostile-input.md):
 * <ul>
 * <li>a line is at most {@value #MAX_LINE} bytes: a longer one is logged cut, saying so, and the
 * rest of it is dropped up to its newline;</li>
 * <li>one poll wake-up reads at most {@value #READ_PER_WAKE} bytes, and a worker gets
 * {@value #BYTES_PER_SECOND} bytes a second on average: past that its pipe is left out of the
 * poll until its budget refills, so a flooding worker costs the supervisor thread a bounded share
 * and blocks only itself on its full pipe;</li>
 * <li>at most {@value #LINES_PER_SECOND} lines a second (bursts of {@value #LINE_BURST}) reach
 * the log; the lines past that are counted, and the count is logged;</li>
 * <li>the output kept for a boot-failure report is at most {@value #BOOT_OUTPUT} characters.</li>
 * </ul>
 * Only the supervisor thread uses it. The descriptor belongs to the {@link Worker}; the relay
 * closes it at end of stream or when it finishes.
 */
final class StderrRelay {
    static final int MAX_LINE = 4096;
    static final int READ_PER_WAKE = 64 * 1024;
    static final long BYTES_PER_SECOND = 1 << 20;
    static final long BYTE_BURST = 256 * 1024;
    static final int LINES_PER_SECOND = 100;
    static final int LINE_BURST = 200;
    static final int BOOT_OUTPUT = 4000;
    private static final long SECOND = 1_000_000_000L;
    /** One read buffer for every relay: only the supervisor thread reads. */
    private static final byte[] BUF = new byte[4096];

    private final int pid;
    private final Fd fd;
    private final byte[] line = new byte[MAX_LINE];
    private int length;
    /** In a line that was cut: its remaining bytes are dropped up to its newline. */
    private boolean cutting;
    private double byteTokens = BYTE_BURST;
    private double lineTokens = LINE_BURST;
    private long refilledAt;
    private long droppedLines;
    private final StringBuilder bootOutput = new StringBuilder();
    private boolean booting = true;

    StderrRelay(int pid, Fd fd, long now) {
        this.pid = pid;
        this.fd = fd;
        this.refilledAt = now;
    }

    /** Whether the supervisor should poll the pipe now: open, and with budget left. */
    boolean wantsPoll(long now) {
        refill(now);
        return fd.isOpen() && byteTokens >= BUF.length;
    }

    /** When a pipe left out of the poll for want of budget may be polled again; Long.MAX_VALUE if none. */
    long resumeAt(long now) {
        if (!fd.isOpen() || byteTokens >= BUF.length) {
            return Long.MAX_VALUE;
        }
        return now + (long) ((BUF.length - byteTokens) * SECOND / BYTES_PER_SECOND) + 1;
    }

    /** The pipe polled readable: relays what the budget allows. */
    void drain(long now) {
        refill(now);
        long allowed = (long) Math.min(READ_PER_WAKE, byteTokens);
        byteTokens -= read(allowed, now);
    }

    /**
     * The worker is gone: relays what is left in the pipe, up to one wake-up's worth (a process
     * the worker left behind may still hold the pipe and write to it forever), then closes it.
     */
    void finish(long now) {
        refill(now);
        read(READ_PER_WAKE, now);
        if (length > 0) {
            emit(now, false);
        }
        reportDropped();
        fd.close();
    }

    /** After READY nothing more is kept for a boot-failure report. */
    void onReady() {
        booting = false;
        bootOutput.setLength(0);
        bootOutput.trimToSize();
    }

    /** What the worker wrote before it was ready, for a boot-failure report. */
    String bootOutput() {
        return bootOutput.toString().strip();
    }

    private long read(long allowed, long now) {
        long total = 0;
        try {
            while (total < allowed && fd.isOpen()) {
                int n = Descriptors.read(fd.get(), BUF, (int) Math.min(BUF.length, allowed - total));
                if (n == 0) {
                    if (length > 0) {
                        emit(now, false);
                    }
                    fd.close();
                    break;
                }
                total += n;
                take(BUF, n, now);
            }
        } catch (PosixException e) {
            if (!e.isWouldBlock()) {
                fd.close();
            }
        }
        return total;
    }

    private void take(byte[] b, int n, long now) {
        for (int i = 0; i < n; i++) {
            byte c = b[i];
            if (c == '\n') {
                if (cutting) {
                    cutting = false;
                } else {
                    emit(now, false);
                }
            } else if (!cutting) {
                if (length == MAX_LINE) {
                    emit(now, true);
                    cutting = true;
                } else {
                    line[length++] = c;
                }
            }
        }
    }

    private void emit(long now, boolean cut) {
        String text = LogText.decode(line, 0, length);
        length = 0;
        if (booting && bootOutput.length() < BOOT_OUTPUT) {
            bootOutput.append(text, 0, Math.min(text.length(), BOOT_OUTPUT - bootOutput.length())).append('\n');
        }
        refill(now);
        if (lineTokens < 1) {
            droppedLines++;
            return;
        }
        lineTokens -= 1;
        reportDropped();
        MasterLog.info("worker " + pid + ": " + text + (cut ? " [line cut at " + MAX_LINE + " bytes]" : ""));
    }

    private void reportDropped() {
        if (droppedLines > 0) {
            MasterLog.info("worker " + pid + ": " + droppedLines + " lines of output dropped (more than "
                    + LINES_PER_SECOND + " lines a second)");
            droppedLines = 0;
        }
    }

    private void refill(long now) {
        double seconds = Math.min(10.0, (now - refilledAt) / (double) SECOND);
        if (seconds <= 0) {
            return;
        }
        refilledAt = now;
        byteTokens = Math.min(BYTE_BURST, byteTokens + seconds * BYTES_PER_SECOND);
        lineTokens = Math.min(LINE_BURST, lineTokens + seconds * LINES_PER_SECOND);
    }
}
