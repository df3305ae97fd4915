package kraken.worker;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import kraken.posix.Posix;

/**
 * Switches this process to the application's user, in the one safe order (supplementary groups,
 * then gid, then uid: once the uid is dropped the others can no longer be changed), and then
 * verifies that the switch took and cannot be undone. Nothing runs Lua before this returns.
 */
final class PrivilegeDrop {
    private PrivilegeDrop() {}

    static void apply(int uid, int gid, int[] groups, boolean allowRoot) throws IOException {
        if (uid == 0 && !allowRoot) {
            throw new IOException("refusing to run a worker as root (kraken.allow_root is false)");
        }
        int[] ids = Posix.getresids();
        boolean root = ids[1] == 0;
        if (root) {
            Posix.setgroups(groups);
            Posix.setgid(gid);
            Posix.setuid(uid);
        }
        verify(uid, gid, groups, root);
    }

    private static void verify(int uid, int gid, int[] groups, boolean wasRoot) throws IOException {
        int[] ids = Posix.getresids();
        for (int i = 0; i < 3; i++) {
            if (ids[i] != uid) {
                throw new IOException("privilege drop failed: uids are " + Arrays.toString(Arrays.copyOf(ids, 3))
                        + ", expected " + uid);
            }
            if (wasRoot && ids[3 + i] != gid) {
                throw new IOException("privilege drop failed: gids are "
                        + Arrays.toString(Arrays.copyOfRange(ids, 3, 6)) + ", expected " + gid);
            }
        }
        if (wasRoot) {
            int[] have = Posix.getgroups().clone();
            int[] want = groups.clone();
            Arrays.sort(have);
            Arrays.sort(want);
            if (!Arrays.equals(have, want)) {
                throw new IOException("privilege drop failed: groups are " + Arrays.toString(have) + ", expected "
                        + Arrays.toString(want));
            }
        }
        if (uid != 0) {
            try {
                Posix.setuid(0);
            } catch (IOException expected) {
                verifyNoCapabilities();
                return;
            }
            throw new IOException("privilege drop failed: the worker could become root again");
        }
    }

    // A uid change from root clears the capability sets, unless something set SECBIT_KEEP_CAPS.
    // java.io, not java.nio.file: NIO would load libnet into every worker and keep a socket open.
    private static void verifyNoCapabilities() throws IOException {
        String status;
        try (FileInputStream in = new FileInputStream("/proc/self/status")) {
            status = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:") || line.startsWith("CapPrm:")) {
                if (Long.parseUnsignedLong(line.substring(7).trim(), 16) != 0) {
                    throw new IOException("privilege drop failed: capabilities remain (" + line + ")");
                }
            }
        }
    }
}
