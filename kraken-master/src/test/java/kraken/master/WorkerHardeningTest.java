package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import kraken.testing.KrakenProcess;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/hostile-input.md, workers: no_new_privs, empty capability sets, no core dumps, not dumpable, a
 * session and process group of their own, the scrubbed environment. Read from /proc of real
 * workers of the real command, and attacked from a script running in one.
 */
@Tag("integration")
@Timeout(120)
class WorkerHardeningTest {
    @TempDir
    Path dir;

    private static final String ZERO = "0000000000000000";

    /** Sends what the worker sees of itself, then runs the program the client names and sends its output. */
    private static final String PROBE = """
            local app = coroutine.create(function (skt, addr)
              local status = ""
              for line in io.lines("/proc/self/status") do status = status .. line .. "\\n" end
              skt:send(status:match("NoNewPrivs:%s*(%d)") .. " " .. status:match("CapBnd:%s*(%x+)")
                .. " " .. status:match("CapEff:%s*(%x+)"))
              -- LuaJ runs commands without a shell: words split at spaces.
              local cmd = skt:receive()
              local p = io.popen(cmd)
              local out = p:read("*a") or ""
              p:close()
              skt:send(out:gsub("\\n", " ") .. "| status " .. tostring(os.execute(cmd)))
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    @Test
    void workersAreHardenedAsProcStatusLimitsAndEnvironShow() throws Exception {
        KrakenProcess.Builder b = KrakenProcess.builder()
                .env("KRAKEN_TEST_SECRET", "hunter2")
                .env("HOME", "/root")
                .env("TZ", "UTC")
                .env("LC_ALL", "C.UTF-8");
        try (Server s = Server.start(dir, Server.helloProgram(), "kraken.workers.spare = 2", b).awaitReady(2)) {
            List<Integer> pids = s.workerPids();
            assertEquals(2, pids.size(), pids.toString());
            for (int pid : pids) {
                String status = Server.procStatus(pid);
                assertEquals("65534\t65534\t65534\t65534", Server.statusField(pid, "Uid"), status);
                assertEquals("1", Server.statusField(pid, "NoNewPrivs"), status);
                for (String set : new String[] {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
                    assertEquals(ZERO, Server.statusField(pid, set), set + " of worker " + pid + "\n" + status);
                }
                // no_new_privs and capabilities are per thread: every thread of the JVM has them.
                for (File task : new File("/proc/" + pid + "/task").listFiles()) {
                    String t = Files.readString(task.toPath().resolve("status"));
                    assertTrue(t.contains("NoNewPrivs:\t1\n") && t.contains("CapBnd:\t" + ZERO + "\n")
                            && t.contains("CapEff:\t" + ZERO + "\n"), "thread " + task + "\n" + t);
                }
                String limits = Files.readString(Path.of("/proc/" + pid + "/limits"));
                assertTrue(limits.matches("(?s).*Max core file size\\s+0\\s+0\\s+bytes.*"), limits);
                // Not dumpable: the kernel gives the process's /proc files to root, not to its user.
                assertEquals(0, (int) Files.getAttribute(Path.of("/proc/" + pid + "/mem"), "unix:uid"));
                assertEquals(0, (int) Files.getAttribute(Path.of("/proc/" + pid + "/environ"), "unix:uid"));
                TreeSet<String> names = new TreeSet<>();
                for (String v : Files.readString(Path.of("/proc/" + pid + "/environ")).split("\0")) {
                    if (!v.isEmpty()) {
                        names.add(v.substring(0, v.indexOf('=')));
                    }
                }
                names.remove("LANG"); // passed when the test's own environment has it
                assertEquals("[LC_ALL, PATH, TZ]", names.toString(), "environment of worker " + pid);
                // /proc/PID/stat: pid (comm) state ppid pgrp session tty_nr
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                assertEquals(List.of(Integer.toString(pid), Integer.toString(pid), "0"), List.of(f[2], f[3], f[4]),
                        "process group, session, controlling terminal of " + pid);
            }
            assertEquals(">Ok\n\r\n", s.exchange("hi\n"));
        }
    }

    @Test
    void aScriptCannotGainPrivilegesThroughASetuidProgramNorReadASiblingWorker() throws Exception {
        // A setuid-root program of our own: run by a process without no_new_privs, it reports uid 0.
        Path suid = dir.resolve("suid-id");
        Files.copy(Path.of("/usr/bin/id"), suid);
        Files.setPosixFilePermissions(suid, PosixFilePermissions.fromString("rwxr-xr-x"));
        new ProcessBuilder("chmod", "4755", suid.toString()).inheritIO().start().waitFor();
        try (Server s = Server.start(dir, PROBE, "kraken.workers.spare = 2").awaitReady(2)) {
            List<Integer> before = s.workerPids();
            try (Server.Client c = s.connect()) {
                assertEquals("1 " + ZERO + " " + ZERO, c.readLine(), s.process.stderr());
                c.send(suid + " -u\n");
                // os.execute returns the exit status as lua5.1 does (0), not LuaJ's true.
                assertEquals("65534 | status 0\r\n", c.readAll(), "the setuid program ran with privileges");
            }
            // Not dumpable: a sibling worker (same uid) cannot read this one's memory or environment.
            List<Integer> siblings = new ArrayList<>(s.workerPids());
            siblings.retainAll(before);
            assertTrue(!siblings.isEmpty(), "no sibling left: " + siblings);
            for (String file : new String[] {"environ", "mem", "fd/0"}) {
                try (Server.Client c = s.connect()) {
                    c.readLine();
                    c.send("cat /proc/" + siblings.get(0) + "/" + file + "\n");
                    String out = c.readAll();
                    assertTrue(out.startsWith("| status ") && !out.contains("true"), file + ": " + out);
                }
            }
            s.awaitLog("served by worker", Duration.ofSeconds(10));
        }
    }

    @Test
    void workersKeepTheMastersLuaPathWithoutItsEnvironment() throws Exception {
        Path mods = dir.resolve("mods");
        Files.createDirectories(mods);
        Files.writeString(mods.resolve("greeting.lua"), "return 'hello from LUA_PATH'\n");
        mods.toFile().setReadable(true, false);
        mods.toFile().setExecutable(true, false);
        mods.resolve("greeting.lua").toFile().setReadable(true, false);
        String script = """
                local app = coroutine.create(function (skt, addr)
                  skt:send(require("greeting") .. " " .. tostring(os.getenv("LUA_PATH")))
                end)
                assert(kraken.registerApplication(app))
                assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
                assert(kraken.loop())
                """;
        KrakenProcess.Builder b = KrakenProcess.builder().env("LUA_PATH", mods + "/?.lua");
        try (Server s = Server.start(dir, script, "", b).awaitReady(1)) {
            assertEquals("hello from LUA_PATH nil\r\n", s.exchange(""), s.process.stderr());
        }
    }
}
