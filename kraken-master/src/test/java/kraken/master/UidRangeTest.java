package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kraken.user = {from, to}: a uid of its own per live worker, attacked as a script would. These
 * tests use only uids 200000-200999 (this suite's own range): the attacks run kill -9 -1 as the
 * worker's uid, which must never be nobody or a uid anything else uses.
 */
@Tag("integration")
@Timeout(180)
class UidRangeTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = Server.PID_FUNCTION + """
            local app = coroutine.create(function (skt, addr)
              skt:send(tostring(pid()))
              local mode = skt:receive()
              if mode == "killall" then
                os.execute("kill -9 -1")
              elseif mode == "bg" then
                os.execute("setsid -f sleep 1000")
              elseif mode == "nproc" then
                os.execute("sh FORK")
              elseif mode == "hold" then
                skt:receive()
              end
              skt:send("bye")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void eachLiveWorkerHasAUidOfItsOwnWithItsGidAndNoGroups() throws Exception {
        String config = "kraken.user = {from = 200000, to = 200009}\nkraken.workers.spare = 3\n"
                + "kraken.limits.processes = 64\n";
        try (Server s = Server.start(dir, SCRIPT, config).awaitReady(3)) {
            List<Server.Client> held = new ArrayList<>();
            Set<Integer> uids = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                Server.Client c = s.connect();
                int pid = Integer.parseInt(c.readLine());
                held.add(c);
                int uid = Integer.parseInt(Server.statusField(pid, "Uid").split("\\s+")[0]);
                assertEquals(uid + "\t" + uid + "\t" + uid + "\t" + uid, Server.statusField(pid, "Uid").replaceAll("\\s+", "\t"));
                assertEquals(uid + "\t" + uid + "\t" + uid + "\t" + uid, Server.statusField(pid, "Gid").replaceAll("\\s+", "\t"));
                assertTrue(Pattern.compile("(?m)^Groups:[ \t]*$").matcher(Server.procStatus(pid)).find(),
                        Server.procStatus(pid));
                assertTrue(uid >= 200000 && uid <= 200009, "uid " + uid);
                assertTrue(uids.add(uid), "uid " + uid + " given to two live workers");
                String limits = Files.readString(Path.of("/proc/" + pid + "/limits"));
                assertTrue(limits.matches("(?s).*Max processes\\s+64\\s+64\\s+processes.*"), limits);
                // Ready workers wait with uids of their own too.
                c.send("hold\n");
            }
            // Every live worker that has dropped its privileges (a starting one is still root) has a uid of its own.
            List<Integer> dropped = new ArrayList<>();
            for (int pid : s.workerPids()) {
                String u;
                try {
                    u = Server.statusField(pid, "Uid");
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // it ended between the listing and this read: not a live worker
                }
                if (u != null && !u.startsWith("0")) {
                    dropped.add(Integer.parseInt(u.split("\\s+")[0]));
                }
            }
            assertEquals(dropped.size(), new HashSet<>(dropped).size(), "two live workers share a uid: " + dropped);
            for (Server.Client c : held) {
                c.send("x\n");
                assertEquals("bye\r\n", c.readAll());
            }
        }
    }

    @Test
    void killMinusOneAsItsOwnUidEndsOnlyItsConnection() throws Exception {
        String config = "kraken.user = {from = 200010, to = 200019}\nkraken.workers.spare = 2\n";
        try (Server s = Server.start(dir, SCRIPT, config).awaitReady(2)) {
            Server.Client other = s.connect();
            int otherPid = Integer.parseInt(other.readLine());
            other.send("hold\n");
            Server.Client attacker = s.connect();
            int attackerPid = Integer.parseInt(attacker.readLine());
            attacker.send("killall\n");
            assertEquals("", attacker.readAll()); // it killed its own worker, and only that
            s.awaitLog("worker " + attackerPid + " exited: killed by signal 9", Duration.ofSeconds(10));
            assertTrue(ProcessHandle.of(otherPid).map(ProcessHandle::isAlive).orElse(false), "the other worker died");
            other.send("still here\n");
            assertEquals("bye\r\n", other.readAll());
            assertTrue(s.process.process().isAlive());
            Server.Client next = s.connect();
            next.readLine();
            next.send("ok\n");
            assertEquals("bye\r\n", next.readAll());
        }
    }

    @Test
    void aProcessLeftBehindIsKilledBeforeItsUidIsGivenAgain() throws Exception {
        // One uid: the next worker can only get it once the leftover is gone.
        String config = "kraken.user = {from = 200020, to = 200020}\nkraken.workers.spare = 1\n";
        try (Server s = Server.start(dir, SCRIPT, config).awaitReady(1)) {
            Server.Client a = s.connect();
            int pidA = Integer.parseInt(a.readLine());
            a.send("bg\n");
            assertEquals("bye\r\n", a.readAll());
            s.awaitLog("worker " + pidA + " exited", Duration.ofSeconds(10));
            s.process.await("a second ready worker", Server.STARTUP, () -> s.count("ready in") >= 2);
            Server.Client b = s.connect();
            int pidB = Integer.parseInt(b.readLine());
            assertEquals("200020", Server.statusField(pidB, "Uid").split("\\s+")[0]);
            // Nothing of uid 200020 is alive but b's worker (zombies reaped by the master).
            assertEquals(List.of(pidB), processesOf(200020), "processes of uid 200020");
            b.send("ok\n");
            assertEquals("bye\r\n", b.readAll());
            // Who killed the leftover: the worker's control group at the connection's end where the
            // machine has groups (docs/configuration.md, "Control groups"), else the kill by uid.
            String log = s.process.stderr();
            assertTrue(log.contains("uid 200020: killed what its last worker left running")
                    || log.contains("control groups: cgroup"), log);
        }
    }

    @Test
    void limitsProcessesCapsWhatOneConnectionCanStart() throws Exception {
        String config = "kraken.user = {from = 200030, to = 200039}\nkraken.workers.spare = 1\n"
                + "kraken.limits.processes = 48\n";
        Path fork = dir.resolve("fork.sh");
        // The fork loop is a script of its own. It waits a second first: the JVM starts its process
        // reaper thread just after the spawn, and a loop that had already filled the uid's slots
        // would make that thread fail (the worker's own failure, not the limit's, which is tested).
        Files.writeString(fork, "sleep 1; for i in $(seq 100); do sleep 3 & done 2>/dev/null; wait\n");
        fork.toFile().setReadable(true, false);
        try (Server s = Server.start(dir, SCRIPT.replace("FORK", fork.toString()), config).awaitReady(1)) {
            Server.Client a = s.connect();
            int pid = Integer.parseInt(a.readLine());
            int uid = Integer.parseInt(Server.statusField(pid, "Uid").split("\\s+")[0]);
            a.send("nproc\n");
            // While the loop runs, the uid's tasks (threads included) never pass the limit.
            int most = 0;
            long end = System.nanoTime() + 1_800_000_000L;
            while (System.nanoTime() < end) {
                most = Math.max(most, tasksOf(uid));
            }
            assertTrue(most > 0 && most <= 48, "uid " + uid + " had " + most + " tasks");
            String reply = a.readAll();
            assertEquals("bye\r\n", reply, s.process.stderr());
            // RLIMIT_NPROC counts threads: the worker JVM's, the shell's and the sleeps'.
            Poll.until("the worker gone", Duration.ofSeconds(10), () -> !ProcessHandle.of(pid).isPresent()
                    || !ProcessHandle.of(pid).get().isAlive());
            Poll.until("uid " + uid + " empty", Duration.ofSeconds(10), () -> processesOf(uid).isEmpty());
            assertTrue(s.process.stderr().contains("served by worker " + pid), s.process.stderr());
        }
    }

    /** Tasks (threads) of uid, as RLIMIT_NPROC counts them. */
    static int tasksOf(int uid) {
        int n = 0;
        for (int pid : processesOf(uid)) {
            File[] t = new File("/proc/" + pid + "/task").listFiles();
            n += t == null ? 0 : t.length;
        }
        return n;
    }

    /** Live (not zombie) processes whose real uid is uid. */
    static List<Integer> processesOf(int uid) {
        List<Integer> out = new ArrayList<>();
        Pattern u = Pattern.compile("(?m)^Uid:\\s+(\\d+)");
        Pattern st = Pattern.compile("(?m)^State:\\s+(\\S)");
        File[] all = new File("/proc").listFiles((d, n) -> n.matches("\\d+"));
        if (all == null) {
            return out;
        }
        for (File f : all) {
            try {
                String status = Files.readString(f.toPath().resolve("status"));
                Matcher m = u.matcher(status);
                Matcher s = st.matcher(status);
                if (m.find() && Integer.parseInt(m.group(1)) == uid && s.find() && !s.group(1).equals("Z")) {
                    out.add(Integer.parseInt(f.getName()));
                }
            } catch (IOException | RuntimeException gone) {
                // exited while we looked
            }
        }
        return out;
    }
}
