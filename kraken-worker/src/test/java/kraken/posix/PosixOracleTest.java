package kraken.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import jnr.constants.platform.Errno;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.Passwd;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kraken's own JNI layer checked against an independent one: jnr-posix. Workers cannot afford
 * jnr-posix's start-up (~0.4 s a JVM), but a test can, and the two must agree.
 */
@Tag("unit")
@Timeout(60)
class PosixOracleTest {
    private static final POSIX JNR = POSIXFactory.getNativePOSIX();

    @Test
    void processAndUserIdsAgree() throws PosixException {
        assertEquals(JNR.getpid(), ThisProcess.getpid());
        assertEquals(JNR.geteuid(), Privileges.geteuid());
        int[] ids = Privileges.getresids();
        assertEquals(JNR.getuid(), ids[0]);
        assertEquals(JNR.getgid(), ids[3]);
        assertEquals(JNR.getegid(), ids[4]);
        long[] jnrGroups = JNR.getgroups();
        int[] ours = Privileges.getgroups().clone();
        int[] theirs = Arrays.stream(jnrGroups).mapToInt(g -> (int) g).toArray();
        Arrays.sort(ours);
        Arrays.sort(theirs);
        assertArrayEquals(theirs, ours);
    }

    @Test
    void thePasswordDatabaseAgrees() {
        for (String name : new String[] {"root", "nobody", "daemon"}) {
            Passwd p = JNR.getpwnam(name);
            Privileges.User u = Privileges.getpwnam(name);
            assertEquals(p.getLoginName(), u.name(), name);
            assertEquals(p.getUID(), u.uid(), name);
            assertEquals(p.getGID(), u.gid(), name);
            assertEquals(name, Privileges.getpwuid((int) p.getUID()).name());
        }
    }

    @Test
    void errorTextsAndConstantsAgree() {
        assertEquals(JNR.strerror(Errno.ECONNRESET.intValue()), new PosixException("recv",
                Errno.ECONNRESET.intValue()).reason());
        assertEquals(Errno.EAGAIN.intValue(), Posix.Constant.EAGAIN.value);
        assertEquals(Errno.EPIPE.intValue(), Posix.Constant.EPIPE.value);
        assertEquals(Errno.ECHILD.intValue(), Posix.Constant.ECHILD.value);
    }
}
