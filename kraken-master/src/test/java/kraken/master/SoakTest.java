package kraken.master;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many connections against one master while a killer SIGKILLs random workers and hostile
 * connections are mixed in. Every ordinary connection whose worker was not killed must succeed,
 * and the master must not grow: descriptors, threads and resident memory are compared between a
 * settled point early in the run and the settled end.
 *
 * <p>Who is to blame for a failure: the application sends its worker's pid first, so a failed
 * connection that knows its pid is excused only if that pid was killed; one that failed before
 * it learned its pid can only have been lost with a worker killed while taking it, so there can
 * be no more of those than kills. Sizes: {@code -Dkraken.soak.state} (20,000 connections) and
 * {@code -Dkraken.soak.process} (1,000).
 */
@Tag("integration")
class SoakTest {
    private static final String SCRIPT = Server.PID_FUNCTION + """
            local app = coroutine.create(function (skt, addr)
              -- The worker's pid, read per connection: the top level runs once, in the script's own
              -- process (docs/processes.md), so a pid read there would name that process for all.
              skt:send(tostring(pid()))
              local mode, err = skt:receive()
              if mode == "ok" then
                skt:send("fine")
              elseif mode == "error" then
                error("hostile error\\nkraken: forged line")
              elseif mode == "exit" then
                os.exit(7)
              elseif mode == "spin" then
                while true do end
              elseif mode == "stderr" then
                io.stderr:write(string.rep("x", 100000))
                skt:send("fine")
              elseif mode == "leak" then
                KEEP = { io.open("/proc/self/stat"), kraken.socket() }
                skt:send("fine")
              else
                skt:send("fine " .. tostring(err))
              end
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    private static final String[] HOSTILE = {"error", "exit", "spin", "stderr", "leak", "garbage", "reset"};

    @TempDir
    Path dir;

    @Test
    @Timeout(900)
    void stateIsolationUnderKillsAndHostileConnections() throws Exception {
        soak("state", Integer.getInteger("kraken.soak.state", 20_000), 8, 400, """
                kraken.isolation = "state"
                kraken.workers.spare = 2
                kraken.workers.max = 12
                kraken.limits.time = 3
                """);
    }

    @Test
    @Timeout(900)
    void processIsolationUnderKillsAndHostileConnections() throws Exception {
        // A JVM per connection: 1,000 of them take 2-3 minutes of make test's 15 on 2 cores; a kill
        // every 50 keeps the ~20 kills of a longer run.
        soak("process", Integer.getInteger("kraken.soak.process", 1_000), 6, 50, """
                kraken.workers.spare = 4
                kraken.workers.max = 12
                kraken.limits.time = 3
                """);
    }

    private void soak(String mode, int total, int clients, int killEvery, String config) throws Exception {
        try (Server s = Server.start(dir, SCRIPT, config, "-Xms96m", "-Xmx96m").awaitReady(2)) {
            Run run = new Run(s, total, killEvery);
            // Warm up with an eighth of the load, settle, and take the master's measures. The
            // master's heap is fixed and small, so that its growth cannot pass for a leak and a
            // leak on the Java heap ends the master (and the test) instead of hiding in a large heap.
            run.load(total / 8, clients);
            MasterUsage early = MasterUsage.settled(s);
            run.load(total - total / 8, clients);
            MasterUsage end = MasterUsage.settled(s);
            String figures = String.format("soak %s: %d connections (%d ordinary, %d hostile) in %.1f s, %.0f conn/s;"
                            + " %d workers killed; %d failed with a killed worker, %d lost before their pid;"
                            + " master fds %d -> %d (workers %d -> %d), threads %d -> %d, VmRSS %d -> %d kB",
                    mode, run.done.get(), run.ordinary.get(), run.hostile.get(), run.seconds(),
                    run.done.get() / run.seconds(), run.killed.size(), run.excused.get(), run.unattributed.get(),
                    early.fds, end.fds, early.workers, end.workers, early.threads, end.threads, early.rssKb,
                    end.rssKb);
            System.out.println(figures);
            assertTrue(run.failures.isEmpty(), figures + "\n" + String.join("\n", run.failures)
                    + "\nthe master's log of those workers:\n" + logOfFailedWorkers(s.process.stderr(), run.failures));
            assertTrue(run.unattributed.get() <= run.killed.size(), figures);
            assertTrue(run.ordinary.get() > total / 2, figures);
            // Each worker costs the master a link, a stderr pipe and a pidfd; nothing else may grow.
            assertTrue(end.fds - 3 * end.workers <= early.fds - 3 * early.workers + 2, figures);
            // A worker group keeps at most 4 files open, and at most 32 emptied groups wait for reuse.
            assertTrue(end.groupFiles <= 4 * (end.workers + 32), figures + "; group files " + end.groupFiles);
            assertTrue(end.threads <= early.threads + 2, figures);
            assertTrue(end.rssKb <= early.rssKb + 48 * 1024, figures);
            assertTrue(s.process.process().isAlive(), figures);
        }
    }

    /** The load: clients, a killer of random workers, and the tally. */
    private static final class Run {
        final Server server;
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger ordinary = new AtomicInteger();
        final AtomicInteger hostile = new AtomicInteger();
        final AtomicInteger excused = new AtomicInteger();
        final AtomicInteger unattributed = new AtomicInteger();
        final Set<Integer> killed = ConcurrentHashMap.newKeySet();
        final Set<Integer> serving = ConcurrentHashMap.newKeySet();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final long started = System.nanoTime();
        final AtomicLong next = new AtomicLong();
        final int total;
        final int killEvery;

        Run(Server server, int total, int killEvery) {
            this.server = server;
            this.total = total;
            this.killEvery = killEvery;
        }

        double seconds() {
            return (System.nanoTime() - started) / 1e9;
        }

        void load(int connections, int clients) throws Exception {
            long until = next.get() + connections;
            ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    futures.add(pool.submit(() -> {
                        while (next.getAndIncrement() < until) {
                            oneConnection();
                        }
                        return null;
                    }));
                }
                Future<?> killer = pool.submit(() -> {
                    killRandomWorkers(futures);
                    return null;
                });
                for (Future<?> f : futures) {
                    f.get(800, TimeUnit.SECONDS);
                }
                killer.get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
        }

        /** About one kill per {@code every} connections: half of them a busy worker, half any worker. */
        private void killRandomWorkers(List<Future<?>> clients) throws InterruptedException {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            while (clients.stream().anyMatch(f -> !f.isDone())) {
                int before = done.get();
                while (done.get() - before < killEvery && clients.stream().anyMatch(f -> !f.isDone())) {
                    Thread.sleep(5);
                }
                List<Integer> victims = new ArrayList<>(serving);
                if (r.nextBoolean() || victims.isEmpty()) {
                    victims = server.workerPids();
                }
                if (victims.isEmpty()) {
                    continue;
                }
                int pid = victims.get(r.nextInt(victims.size()));
                killed.add(pid); // before the signal: a client may see the end first
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }

        private void oneConnection() {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            String mode = r.nextInt(100) < 1 ? HOSTILE[r.nextInt(HOSTILE.length)] : "ok";
            if (!mode.equals("ok")) {
                hostile.incrementAndGet();
                try {
                    hostileConnection(mode);
                } catch (IOException expected) {
                    // A hostile connection may end any way at all: only the others are judged.
                }
                done.incrementAndGet();
                return;
            }
            ordinary.incrementAndGet();
            int pid = -1;
            try (Socket sk = new Socket()) {
                sk.connect(new InetSocketAddress("127.0.0.1", server.port), 10_000);
                sk.setSoTimeout(30_000);
                Server.Client c = new Server.Client(sk);
                pid = Integer.parseInt(c.readLine());
                serving.add(pid);
                c.send("ok\n");
                String reply = c.readAll();
                if (!reply.equals("fine\r\n")) {
                    throw new IOException("reply " + reply.replace("\r", "\\r").replace("\n", "\\n"));
                }
            } catch (IOException | NumberFormatException e) {
                if (pid < 0) {
                    unattributed.incrementAndGet();
                } else if (killed.contains(pid)) {
                    excused.incrementAndGet();
                } else {
                    failures.add("connection served by worker " + pid + " failed: " + e);
                }
            } finally {
                if (pid >= 0) {
                    serving.remove(pid);
                }
                done.incrementAndGet();
            }
        }

        private void hostileConnection(String mode) throws IOException {
            try (Socket sk = new Socket()) {
                sk.connect(new InetSocketAddress("127.0.0.1", server.port), 10_000);
                sk.setSoTimeout(30_000);
                Server.Client c = new Server.Client(sk);
                if (mode.equals("reset")) {
                    sk.setSoLinger(true, 0); // close with a RST before the application is done
                    return;
                }
                c.readLine();
                if (mode.equals("garbage")) {
                    c.send("\0\377".repeat(50_000));
                    sk.shutdownOutput();
                } else {
                    c.send(mode + "\n");
                }
                c.readAll();
            }
        }
    }

    /** What the master holds, read from /proc once its pool has been quiet for a while. */
    /**
     * fds: the master's descriptors but the control-group files; groupFiles: those, which each
     * worker group keeps open for its life and an emptied group keeps while it waits for reuse
     * (at most 32 such groups: ControlGroups.EMPTY_MAX).
     */
    private record MasterUsage(int fds, int groupFiles, int threads, long rssKb, int workers) {
        static MasterUsage settled(Server s) throws IOException {
            long pid = s.process.pid();
            MasterUsage[] last = {read(s, pid)};
            int[] stable = {0};
            // Quiet means: no busy worker finishing, the same pool for a second.
            Poll.until("the master to settle", Duration.ofSeconds(60), () -> {
                try {
                    MasterUsage now = read(s, pid);
                    stable[0] = now.fds == last[0].fds && now.groupFiles == last[0].groupFiles && now.workers == last[0].workers ? stable[0] + 1 : 0;
                    last[0] = now;
                    return stable[0] >= 50;
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            return last[0];
        }

        static MasterUsage read(Server s, long pid) throws IOException {
            File[] fds = new File("/proc/" + pid + "/fd").listFiles();
            int threads = Integer.parseInt(Server.statusField((int) pid, "Threads"));
            long rss = Long.parseLong(Server.statusField((int) pid, "VmRSS").replace("kB", "").trim());
            int count = 0;
            int groupFiles = 0;
            for (File f : fds == null ? new File[0] : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(f.toPath()).toString();
                } catch (IOException closed) {
                    continue;
                }
                if (target.startsWith("/sys/fs/cgroup/")) {
                    groupFiles++;
                } else {
                    count++;
                }
            }
            return new MasterUsage(count, groupFiles, threads, rss, s.workerPids().size());
        }
    }

    /** The master's log lines about the workers named in the failures ("worker PID"), for the report. */
    private static String logOfFailedWorkers(String log, List<String> failures) {
        List<String> lines = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("worker (\\d+)").matcher(String.join("\n", failures));
        while (m.find()) {
            String mark = "worker " + m.group(1);
            for (String line : log.split("\n")) {
                if (line.contains(mark + ":") || line.contains(mark + " ")) {
                    lines.add(line);
                }
            }
        }
        return String.join("\n", lines);
    }
}
