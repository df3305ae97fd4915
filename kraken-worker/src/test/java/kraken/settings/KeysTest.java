package kraken.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/** Each key, declared once in Keys, survives the trip to a worker, reads back, and reloads as documented. */
@Tag("unit")
class KeysTest {
    /** Every key away from its default, as a configuration could set it. */
    private static Settings unusual() {
        Settings s = new Settings();
        s.mmTries = 7;
        s.mmTimeoutMin = 10;
        s.mmTimeoutMax = 20;
        s.isolation = "state";
        s.workersSpare = 3;
        s.workersMax = 9;
        s.workersConnections = 11;
        s.workersIdle = 2.5;
        s.userFrom = 0xFFFF_FFF0; // above 2^31: travels unsigned
        s.userTo = 0xFFFF_FFFE;
        s.users = List.of("www-data", "1001");
        s.allowRoot = true;
        s.limitTime = 1.5;
        s.limitMemory = "128m";
        s.limitCpu = 4L;
        s.limitFiles = 100L;
        s.limitLine = 77;
        s.limitCoroutines = 12;
        s.limitPerSource = 5;
        s.limitRefusal = "busy \u00ff\r\n";
        s.limitProcesses = 64L;
        s.limitMemoryTotal = "2g";
        s.sandbox = true;
        s.grace = 0.25;
        s.statusHost = "::1";
        s.statusPort = 9100;
        s.logConnections = false;
        s.proxyFrom = List.of("127.0.0.1", "10.0.0.0/8", "::1");
        s.confineNetwork = "none";
        s.confineFiles = "read-only";
        return s;
    }

    private static String show(LuaValue v) {
        if (!v.istable()) {
            return v.typename() + ":" + v.tojstring();
        }
        Set<String> fields = new TreeSet<>();
        for (Varargs n = v.next(LuaValue.NIL); !n.arg1().isnil(); n = v.next(n.arg1())) {
            fields.add(show(n.arg1()) + "=" + show(n.arg(2)));
        }
        return fields.toString();
    }

    @Test
    void everyKeyReadsTheSameInAWorkerAsInTheMaster() {
        Settings master = unusual();
        Settings worker = Settings.decode(master.encode());
        Settings defaults = new Settings();
        for (Key k : Keys.ALL) {
            String there = show(k.read().apply(master));
            assertEquals(there, show(k.read().apply(worker)), k.name());
            assertNotEquals(show(k.read().apply(defaults)), there, k.name() + " was left at its default by the test");
        }
        assertEquals(master.encode(), worker.encode());
    }

    @Test
    void aHupReloadsThePoolAndTheLimitsOnly() {
        Set<String> reloaded = new TreeSet<>();
        for (Key k : Keys.ALL) {
            if (k.reloadable()) {
                reloaded.add(k.name());
            }
        }
        assertEquals(new TreeSet<>(List.of("mm.tries", "mm.timeout", "isolation", "workers.spare", "workers.max",
                "workers.connections", "workers.idle", "limits.time", "limits.memory", "limits.cpu", "limits.files",
                "limits.line", "limits.coroutines", "limits.per_source", "limits.refusal", "limits.processes",
                "limits.memory_total", "grace",
                "log.connections")), reloaded);
        Settings current = new Settings();
        current.user = "nobody";
        Settings fresh = unusual();
        Settings after = ReloadableKeys.apply(current, fresh);
        for (Key k : Keys.ALL) {
            Settings expected = k.reloadable() ? fresh : current;
            assertEquals(show(k.read().apply(expected)), show(k.read().apply(after)), k.name());
        }
        assertTrue(after != current, "the settings in force are replaced, not changed under their readers");
    }
}
