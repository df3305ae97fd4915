package kraken.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;

/** Where things are when tests run under Maven from the checkout. */
public final class Paths {
    private Paths() {}

    /** The checkout's root folder. */
    public static File root() {
        String r = System.getProperty("kraken.root");
        if (r != null) {
            return new File(r);
        }
        File f = new File("").getAbsoluteFile();
        return new File(f, "pom.xml").isFile() && new File(f, "kraken-worker").isDirectory() ? f : f.getParentFile();
    }

    public static String java() {
        return System.getProperty("java.home") + "/bin/java";
    }

    public static String nativeLibrary() {
        String n = System.getProperty("kraken.native");
        return n != null ? n : new File(root(), "kraken-worker/target/native/libkraken.so").getPath();
    }

    /** A TCP port that was free a moment ago on 127.0.0.1. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
