package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kraken.testing.KrakenProcess;
import kraken.testing.Paths;
import kraken.testing.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The walls around every worker (docs/walls.md), attacked from a connection's script through
 * a program it starts (src/test/c/wallprobe.c), as a hostile script would. Each test also shows
 * that the connection is still served, and the next client too. The servers' folder is outside
 * /tmp, which a read-only worker sees as a /tmp of its own.
 */
@Tag("integration")
@Timeout(300)
class WallsTest {
    private static Path dir;
    private static Path probe;

    /** Runs the command line the client sends (LuaJ splits it at spaces), then sends its output and "served". */
    private static final String SCRIPT = """
            local app = coroutine.create(function (skt, addr)
              local p = io.popen(skt:receive())
              skt:rawsend(p:read("*a") or "")
              p:close()
              skt:rawsend("served\\n")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    /** Section 10's calls that an unprivileged user may otherwise make here: the filter is what refuses them. */
    private static final List<String> REFUSED = List.of("unshare-user", "unshare-net", "setns", "clone-newuser",
            "keyctl", "add_key", "request_key", "ptrace-attach", "process_vm_readv", "bpf", "perf_event_open",
            "userfaultfd", "io_uring_setup", "name_to_handle_at", "mount", "chroot", "acct");

    @BeforeAll
    static void compileProbe() throws Exception {
        Path target = new File(Paths.root(), "kraken-master/target").toPath();
        Files.createDirectories(target);
        dir = Files.createTempDirectory(target, "walls-");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        probe = dir.resolve("wallprobe");
        Process cc = new ProcessBuilder("cc", "-O2", "-o", probe.toString(),
                new File(Paths.root(), "kraken-master/src/test/c/wallprobe.c").getPath()).inheritIO().start();
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, "cc wallprobe.c");
    }

    @AfterAll
    static void removeFolder() throws IOException {
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void theSystemCallFilterHoldsInEveryWorkerAndInWhatItStarts() throws Exception {
        // Without the walls, the same program as the same user gets what it asks for: the test can fail.
        Map<String, String> outside = results(run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                probe.toString(), "syscalls"));
        for (String call : List.of("unshare-user", "keyctl", "add_key", "ptrace-attach", "process_vm_readv",
                "userfaultfd", "name_to_handle_at", "clone3")) {
            assertEquals("0", outside.get(call), call + " outside the walls: " + outside);
        }
        try (Server s = Server.start(dir, SCRIPT, "kraken.workers.spare = 1").awaitReady(1)) {
            for (int pid : workers(s)) {
                assertSeccompInEveryThread(pid);
            }
            String reply = s.exchange(probe + " syscalls\n");
            assertTrue(reply.endsWith("served\n"), reply);
            Map<String, String> inside = results(reply);
            for (String call : REFUSED) {
                assertEquals("EPERM", inside.get(call), call + " in a worker's child: " + reply);
            }
            // clone3 keeps its flags out of the filter's sight: ENOSYS sends glibc back to clone.
            assertEquals("ENOSYS", inside.get("clone3"), reply);
            assertEquals("0", inside.get("fork"), reply);
            assertEquals("0", inside.get("clone-plain"), reply);
            // Another architecture's system-call numbers: the kernel kills the caller (SIGSYS).
            assertEquals("signal 31", inside.get("i386"), reply);
            assertEquals("signal 31", inside.get("x32"), reply);
            assertEquals("Seccomp:\t2", inside.get("status"), "the worker's child is filtered too: " + reply);
            // `unshare -Ur id -u`, as the issue tried it: no namespace, no root.
            String unshare = s.exchange("unshare -Ur id -u\n");
            assertFalse(unshare.startsWith("0\n"), unshare);
            assertTrue(unshare.endsWith("served\n"), unshare);
            String keyctl = s.exchange("keyctl show\n");
            assertFalse(keyctl.contains("_ses"), keyctl);
            // Network "host" (the default): the host's loopback is reachable.
            try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                assertEquals("connect 0\nserved\n", s.exchange(probe + " connect " + listener.getLocalPort() + "\n"));
            }
            // Files "host": a world-writable folder takes the worker's file.
            Path mark = Path.of("/var/tmp/kraken-walls-" + ProcessHandle.current().pid());
            try {
                assertEquals("write 0\nserved\n", s.exchange(probe + " write " + mark + "\n"));
                assertTrue(Files.exists(mark));
            } finally {
                Files.deleteIfExists(mark);
            }
            assertEquals("served\n", s.exchange("true\n"), "the next client is served");
        }
    }

    @Test
    void networkNoneReachesNothingButItsConnection() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
                Server s = Server.start(dir, SCRIPT, "kraken.workers.spare = 1\nkraken.confine.network = \"none\"\n")
                        .awaitReady(1)) {
            for (int pid : workers(s)) {
                assertNotEquals(namespace("self", "net"), namespace(Integer.toString(pid), "net"));
                assertSeccompInEveryThread(pid);
            }
            String reply = s.exchange(probe + " connect " + listener.getLocalPort() + "\n");
            // Only a loopback that is down: the host's 127.0.0.1 is unreachable, not merely refused.
            assertEquals("connect ENETUNREACH\nserved\n", reply);
            listener.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, listener::accept, "the listener got a connection");
            String dev = s.exchange("cat /proc/net/dev\n");
            assertTrue(dev.contains(" lo:") && !dev.matches("(?s).*\\n\\s*(eth|en|wl|veth)[^:]*:.*"), dev);
            assertEquals("served\n", s.exchange("true\n"), "the next client is served");
        }
    }

    @Test
    void readOnlyFilesLeaveAPrivateTmpThatDiesWithTheWorker() throws Exception {
        String name = "kraken-walls-" + ProcessHandle.current().pid();
        try (Server s = Server.start(dir, SCRIPT, "kraken.workers.spare = 1\nkraken.confine.files = \"read-only\"\n")
                .awaitReady(1)) {
            for (int pid : workers(s)) {
                assertNotEquals(namespace("self", "mnt"), namespace(Integer.toString(pid), "mnt"));
            }
            assertEquals("write EROFS\nserved\n", s.exchange(probe + " write /var/tmp/" + name + "\n"));
            assertFalse(Files.exists(Path.of("/var/tmp/" + name)));
            assertEquals("write EROFS\nserved\n", s.exchange(probe + " write " + dir.resolve(name) + "\n"));
            // /tmp: empty at the worker's start, writable, and not the host's.
            assertEquals("served\n", s.exchange("ls -A /tmp\n"));
            assertEquals("write 0\nserved\n", s.exchange(probe + " write /tmp/" + name + "\n"));
            assertFalse(Files.exists(Path.of("/tmp/" + name)), "the worker wrote the host's /tmp");
            // The next worker ("process" isolation) starts with a /tmp of its own: the file is gone.
            assertEquals("served\n", s.exchange("ls -A /tmp\n"));
            String mounts = s.exchange("cat /proc/self/mounts\n");
            for (String line : mounts.split("\n")) {
                String[] f = line.split(" ");
                if (f.length >= 4 && !f[1].equals("/tmp")) {
                    assertTrue(("," + f[3] + ",").contains(",ro,"), "writable mount in the worker: " + line);
                }
            }
            assertTrue(mounts.contains(" /tmp tmpfs rw,"), mounts);
        }
    }

    @Test
    void inStateIsolationEachConnectionFindsTheWorkersTmpEmpty() throws Exception {
        // Lua's own io, no program started: "w" leaves a file in /tmp, "r" says whether it is there.
        String script = """
                local app = coroutine.create(function (skt, addr)
                  local order = skt:receive()
                  if order == "w" then
                    local f = assert(io.open("/tmp/left-behind", "w"))
                    f:write("x")
                    f:close()
                    skt:rawsend("written\\n")
                  else
                    local f = io.open("/tmp/left-behind")
                    if f then f:close() end
                    skt:rawsend(f and "there\\n" or "absent\\n")
                  end
                end)
                assert(kraken.registerApplication(app))
                assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
                assert(kraken.loop())
                """;
        try (Server s = Server.start(dir, script, "kraken.isolation = \"state\"\nkraken.workers.spare = 1\n"
                + "kraken.workers.max = 1\nkraken.confine.files = \"read-only\"\n").awaitReady(1)) {
            assertEquals("absent\n", s.exchange("r\n"));
            assertEquals("written\n", s.exchange("w\n"));
            s.awaitLog("retiring: the connection left files in its private /tmp", Duration.ofSeconds(30));
            assertEquals("absent\n", s.exchange("r\n"), "the next connection saw the last one's file");
        }
    }

    @Test
    void aWallTheKernelRefusesStopsKrakenAtStartNamingIt() throws Exception {
        // A master without CAP_SYS_ADMIN cannot give workers a network namespace.
        Path script = dir.resolve("refused.lua");
        Files.writeString(script, SCRIPT.replace("PORT", Integer.toString(Paths.freePort())));
        Path config = dir.resolve("refused-config.lua");
        Files.writeString(config, "kraken.confine.network = \"none\"\n");
        script.toFile().setReadable(true, false);
        config.toFile().setReadable(true, false);
        // Through the launcher: its jars are readable by nobody, where the build's classpath is not.
        KrakenProcess.Result r = KrakenProcess.builder().viaLauncher().dir(dir.toFile())
                .prefix("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
                .args("--config", config.toString(), script.toString()).run(Duration.ofSeconds(60));
        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("cannot wall workers in (docs/walls.md): kraken.confine.network = \"none\":"
                + " unshare(CLONE_NEWNET)(..) failed: Operation not permitted"), r.toString());
        assertFalse(r.stderr().contains("ready in"), r.toString());
    }

    // Every thread: a filter installed from Java after start would miss the threads HotSpot had.
    private static void assertSeccompInEveryThread(int pid) throws IOException {
        File[] tasks = new File("/proc/" + pid + "/task").listFiles();
        assertTrue(tasks != null && tasks.length > 1, "worker " + pid);
        for (File task : tasks) {
            String status;
            try {
                status = Files.readString(task.toPath().resolve("status"));
            } catch (IOException ended) {
                continue;
            }
            assertTrue(status.contains("\nSeccomp:\t2\n"), "thread " + task + "\n" + status);
        }
    }

    /** The master's children that are workers (its script process, when alive, is not one). */
    private static List<Integer> workers(Server s) throws IOException {
        List<Integer> out = new java.util.ArrayList<>();
        for (int pid : s.workerPids()) {
            try {
                if (Files.readString(Path.of("/proc/" + pid + "/cmdline")).contains("kraken.worker.WorkerMain")) {
                    out.add(pid);
                }
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        assertFalse(out.isEmpty(), "no worker among " + s.workerPids());
        return out;
    }

    private static String namespace(String pid, String kind) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + kind)).toString();
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(new File("/")).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** "name result" lines into a map ("i386" -> "signal 31"). */
    private static Map<String, String> results(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                m.put(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        return m;
    }
}
