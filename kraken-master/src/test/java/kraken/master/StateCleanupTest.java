package kraken.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import kraken.testing.Poll;
import kraken.testing.Server;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/hostile-input.md, "state" isolation: descriptors, files and sockets a connection opened are
 * closed before the next connection; what Kraken cannot close retires the worker.
 */
@Tag("integration")
@Timeout(120)
class StateCleanupTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = Server.PID_FUNCTION + """
            keep = {}
            local app = coroutine.create(function (skt, addr)
              skt:send(tostring(pid()))
              local mode = skt:receive()
              if mode == "leak" then
                for i = 1, 50 do keep[#keep + 1] = io.open("/proc/self/stat") end
                local l = kraken.socket()
                assert(l:bind { host = "127.0.0.1", port = 0 })
                assert(l:listen())
                keep[#keep + 1] = l
                skt:send(tostring(l:getport()))
              elseif mode == "fill" then
                local n = 0
                while true do
                  local f = io.open("/proc/self/stat")
                  if not f then break end
                  keep[#keep + 1] = f
                  n = n + 1
                end
                skt:send("filled " .. n)
              elseif mode == "popen" then
                -- A child still running when the connection ends: its pipes stay open (once it
                -- exits, the JVM closes them itself).
                keep[#keep + 1] = io.popen("sleep 5")
              end
              skt:send("fine")
            end)
            assert(kraken.registerApplication(app))
            assert(kraken.registerAddress { host = "127.0.0.1", port = PORT })
            assert(kraken.loop())
            """;

    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void whatAConnectionOpenedIsClosedBeforeTheNextOne() throws Exception {
        String config = "kraken.isolation = 'state'\nkraken.workers.spare = 1\nkraken.workers.max = 1\n"
                + "kraken.limits.files = 256\n";
        try (Server s = Server.start(dir, SCRIPT, config).awaitReady(1)) {
            String pid;
            try (Server.Client c = s.connect()) {
                pid = c.readLine();
                c.send("ok\n");
                assertEquals("fine\r\n", c.readAll());
            }
            int worker = Integer.parseInt(pid);
            s.process.await("the worker ready again", Duration.ofSeconds(20), () -> s.count("served by worker") >= 1);
            int atRest = Server.descriptors(worker).size();
            int port;
            try (Server.Client c = s.connect()) {
                assertEquals(pid, c.readLine());
                c.send("leak\n");
                port = Integer.parseInt(c.readLine());
                assertEquals("fine\r\n", c.readAll());
            }
            Poll.until("the leaked listening socket closed", Duration.ofSeconds(20), () -> refused(port));
            // A connection that fills the descriptor table does not break the next one.
            try (Server.Client c = s.connect()) {
                assertEquals(pid, c.readLine());
                c.send("fill\n");
                String r = c.readLine();
                assertTrue(r.startsWith("filled "), r);
                assertEquals("fine\r\n", c.readAll());
            }
            try (Server.Client c = s.connect()) {
                assertEquals(pid, c.readLine(), "the same worker serves on: " + s.process.stderr());
                List<String> fds = Server.descriptors(worker);
                assertTrue(fds.size() <= atRest + 1, "descriptors at rest " + atRest + ", now " + fds);
                c.send("ok\n");
                assertEquals("fine\r\n", c.readAll());
            }
            // A child's pipes are beyond what Kraken closes: that worker retires, a new one serves.
            try (Server.Client c = s.connect()) {
                assertEquals(pid, c.readLine());
                c.send("popen\n");
                assertEquals("fine\r\n", c.readAll());
            }
            s.awaitLog("worker " + pid + " exited: retired", Duration.ofSeconds(20));
            try (Server.Client c = s.connect()) {
                String next = c.readLine();
                assertTrue(!next.equals(pid), next);
                c.send("ok\n");
                assertEquals("fine\r\n", c.readAll());
            }
            assertTrue(!s.process.stderr().contains("worker died"), s.process.stderr());
        }
    }
}
