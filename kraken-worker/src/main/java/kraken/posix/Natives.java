package kraken.posix;

import java.io.File;
import java.net.URISyntaxException;

/**
 * The one owner of Kraken's raw native calls (libkraken.so, src/main/c): each returns a result
 * or -errno, and {@link #check} turns a negative one into a {@link PosixException}. Nothing
 * outside this package sees a raw result or an errno: the facades ({@link Sockets},
 * {@link Descriptors}, {@link ThisProcess}, {@link Privileges}, and in the master
 * kraken.posix.master) are what the rest of Kraken calls. A JNI library costs a worker JVM about
 * 10 ms to load, where jnr-posix costs about 0.4 s, and a worker starts once per connection.
 */
final class Natives {
    private Natives() {}

    static {
        load();
    }

    /** The path libkraken.so was loaded from; null when found on java.library.path. */
    private static String libraryPath;

    private static void load() {
        String explicit = System.getProperty("kraken.native");
        File lib = explicit != null && new File(explicit).isFile() ? new File(explicit) : besideCode();
        if (lib != null) {
            libraryPath = lib.getAbsolutePath();
            System.load(libraryPath);
            return;
        }
        System.loadLibrary("kraken");
    }

    /** Where libkraken.so came from, so that a worker JVM can load the same one. */
    static String libraryPath() {
        return libraryPath;
    }

    // Installed, libkraken.so sits beside the jars; in a build tree, in target/native.
    private static File besideCode() {
        try {
            File code = new File(Natives.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            File dir = code.getParentFile();
            for (File f : new File[] {new File(dir, "libkraken.so"), new File(dir, "native/libkraken.so")}) {
                if (f.isFile()) {
                    return f;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // No usable code location: fall back to java.library.path.
        }
        return null;
    }

    static int check(String call, int r) throws PosixException {
        if (r < 0) {
            throw new PosixException(call, -r);
        }
        return r;
    }

    static long check(String call, long r) throws PosixException {
        if (r < 0) {
            throw new PosixException(call, (int) -r);
        }
        return r;
    }

    static String strerror(int errno) {
        return strerror0(errno);
    }

    static native String strerror0(int errno);
    static native int socket0(int domain, int type, int protocol);
    static native int close0(int fd);
    static native int bind0(int fd, byte[] addr, int port);
    static native int connect0(int fd, byte[] addr, int port);
    static native int listen0(int fd, int backlog);
    static native int bindUnix0(int fd, byte[] path);
    static native int connectUnix0(int fd, byte[] path);
    static native int sendtoUnix0(int fd, byte[] data, int len, byte[] path);
    static native int recvFlags0(int fd, byte[] buf, int off, int len, int flags);
    static native int setCloseOnExec0(int fd);
    static native int unsetenv0(String name);
    static native int isOpen0(int fd);
    static native int accept0(int fd, byte[] addr, int[] info);
    static native int getsockname0(int fd, byte[] addr, int[] info);
    static native int getpeername0(int fd, byte[] addr, int[] info);
    static native int recv0(int fd, byte[] buf, int off, int len);
    static native int send0(int fd, byte[] buf, int off, int len);
    static native int setsockoptInt0(int fd, int level, int opt, int value);
    static native int getsockoptInt0(int fd, int level, int opt, int[] out);
    static native int listenQueue0(int fd, int[] out);
    static native int setLinger0(int fd, boolean on, int seconds);
    static native int getLinger0(int fd);
    static native int setTimeout0(int fd, int opt, long micros);
    static native long getTimeout0(int fd, int opt);
    static native int setNonBlocking0(int fd, boolean on);
    static native int socketpair0(int type, int[] out);
    static native int sendmsg0(int fd, byte[] data, int len, int passFd);
    static native int recvmsg0(int fd, byte[] buf, int[] fdOut);
    static native int poll0(int[] fds, short[] events, short[] revents, int count, int timeoutMs);
    static native void exitNow0(int status);
    static native int pipe0(int[] out, boolean nonBlockingWrite);
    static native int sealedMemfd0(byte[] name, byte[] data, int len);
    static native long sealedSize0(int fd);
    static native int preadAll0(int fd, byte[] buf, int len);
    static native int write0(int fd, byte[] buf, int len);
    static native int read0(int fd, byte[] buf, int len);
    static native int getpid0();
    static native int isatty0(int fd);
    static native int setParentDeathSignal0(int sig);
    static native int setrlimit0(int resource, long soft, long hard);
    static native int getrlimit0(int resource, long[] out);
    static native int getpgsid0(int[] out);
    static native long processCpuNanos0();
    static native int getPrctl0(int which);
    static native int setDumpable0(boolean on);
    static native int hardenAllThreads0(boolean dropBoundingSet);
    static native int setgroups0(int[] groups);
    static native int setgid0(int gid);
    static native int setuid0(int uid);
    static native int getresids0(int[] ids);
    static native int[] getgroups0();
    static native String[] getpw0(String name, int uid);
    static native int[] constants0();
}
