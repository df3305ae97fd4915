package kraken.master;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import kraken.posix.Descriptors;
import kraken.posix.master.Processes;
import kraken.master.cgroup.ControlGroups;
import kraken.master.cgroup.WorkerGroup;
import kraken.settings.Settings;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.protocol.Protocol;
import kraken.protocol.Protocol.Hello;
import kraken.worker.WorkerMain;
import org.luaj.vm2.LuaValue;

/**
 * Starts worker JVMs. A worker's classpath holds only what a worker loads (kraken-worker, LuaJ,
 * jnr-constants), and its descriptors are exactly: standard input from /dev/null, standard
 * output shared with the master, standard error on a pipe the master relays, and the link.
 */
final class WorkerLauncher implements Launcher {
    private final String java = System.getProperty("java.home") + "/bin/java";
    private final String classpath = workerClasspath();
    private final String[] environment;
    private final WorkerUser user;
    private final Fd devNull;
    private final WorkerWalls walls;
    // Spawning is the master's main work in "process" isolation: what does not change between
    // two workers (until a HUP brings new settings) is computed once.
    private Settings preparedFor;
    private String[] preparedArgv;
    private byte[] preparedHello;
    /** The image's sealed memfd, made once per plan and passed with every HELLO. */
    private LaunchPlan imagePlan;
    private Fd imageFile;

    /** Where each worker gets its control group before it runs anything. */
    private final ControlGroups groups;

    WorkerLauncher(WorkerUser user, WorkerWalls walls, ControlGroups groups) throws IOException {
        this.groups = groups;
        this.user = user;
        this.walls = walls;
        this.environment = workerEnvironment(System.getenv());
        this.devNull = new Fd(openDevNull());
    }

    /**
     * docs/hostile-input.md: PATH, and LANG, LC_* and TZ when the master has them; nothing else of the
     * master's (no HOME, no secrets, no JAVA_TOOL_OPTIONS or LD_PRELOAD for the worker's JVM).
     * The JVM needs none of it: it is started by absolute path with every option on its command
     * line. A master without PATH gives its workers the system's default one.
     */
    static String[] workerEnvironment(Map<String, String> master) {
        List<String> env = new ArrayList<>();
        env.add("PATH=" + master.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        for (Map.Entry<String, String> e : master.entrySet()) {
            String k = e.getKey();
            if (k.equals("LANG") || k.equals("TZ") || k.startsWith("LC_")) {
                env.add(k + "=" + e.getValue());
            }
        }
        return env.toArray(new String[0]);
    }

    private static int openDevNull() throws IOException {
        // A read-only descriptor on /dev/null via a pipe we close at once: reads give end-of-file.
        int[] p = Descriptors.pipe(false);
        new Fd(p[1]).close();
        return p[0];
    }

    /** The worker's command line for these settings. */
    List<String> command(Settings s) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(WorkerFlags.jvmFlags(s));
        String lib = Posix.libraryPath();
        if (lib != null) {
            cmd.add("-Dkraken.native=" + lib);
        }
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(WorkerMain.class.getName());
        return cmd;
    }

    /**
     * Spawns one worker inside its walls and sends it its HELLO. Throws PosixException when the OS
     * refuses the process or a wall; nothing is left open in that case.
     */
    Worker spawn(Settings s, LaunchPlan plan, int generation) throws IOException {
        return spawn(s, plan, generation, -1);
    }

    /** As above; uid >= 0 runs the worker as that uid, gid the same number, no supplementary groups. */
    @Override
    public Worker spawn(Settings s, LaunchPlan plan, int generation, int uid) throws IOException {
        if (imagePlan != plan) {
            Fd file = new Fd(Descriptors.sealedMemfd(Protocol.IMAGE_NAME, plan.image()));
            if (imageFile != null) {
                imageFile.close();
            }
            imageFile = file;
            imagePlan = plan;
            preparedFor = null;
        }
        if (preparedFor != s) {
            preparedArgv = command(s).toArray(new String[0]);
            try {
                preparedHello = Protocol.encodeHello(hello(s, plan));
            } catch (IOException e) {
                throw new IllegalStateException("the worker's orders do not fit in a message: " + e.getMessage(), e);
            }
            preparedFor = s;
        }
        int[] link = Descriptors.socketpair(Posix.Constant.SOCK_SEQPACKET.value);
        int[] err = null;
        Fd masterEnd = new Fd(link[0]);
        Fd workerEnd = new Fd(link[1]);
        Fd errRead = null;
        Fd errWrite = null;
        try {
            err = Descriptors.pipe(false);
            errRead = new Fd(err[0]);
            errWrite = new Fd(err[1]);
            int pid = walls.spawn(java, preparedArgv, environment,
                    new int[] {0, devNull.get(), 2, errWrite.get(), Protocol.LINK_FD, workerEnd.get()});
            // The child has its own copies: the master's go at once, not after the group placement
            // and HELLO, so a worker's end of its link is never held by the master longer than this.
            // (Fd closes once; the finally below is then harmless.)
            workerEnd.close();
            errWrite.close();
            Fd pidfd = new Fd(Processes.pidfdOpen(pid));
            Worker w = new Worker(pid, masterEnd, pidfd, errRead, generation, System.nanoTime());
            w.uid = uid;
            // Before HELLO: the worker runs nothing before it, so nothing escapes the group.
            w.group = placeInGroup(w, s);
            try {
                Protocol.sendHello(masterEnd, uid < 0 ? preparedHello : Protocol.encodeHello(hello(s, plan, uid)),
                        imageFile);
            } catch (IOException e) {
                // The worker will see end-of-stream and exit; the exit is reaped as usual.
                MasterLog.info("worker " + pid + ": could not send its orders: " + e.getMessage());
            }
            masterEnd = null;
            errRead = null;
            return w;
        } finally {
            workerEnd.close();
            if (errWrite != null) {
                errWrite.close();
            }
            if (masterEnd != null) {
                masterEnd.close();
            }
            if (errRead != null) {
                errRead.close();
            }
        }
    }

    /**
     * The worker's own control group, or null without groups. A worker that cannot have its group
     * never runs: it is killed and waited for (it is still waiting for HELLO), and the failure
     * counts as the OS refusing the worker (kraken.mm).
     */
    private WorkerGroup placeInGroup(Worker w, Settings s) throws IOException {
        if (!groups.enabled()) {
            return null;
        }
        try {
            return groups.place(w.pid, s);
        } catch (IOException e) {
            try {
                Processes.kill(w.pid, Posix.Constant.SIGKILL.value);
                Processes.waitpid(w.pid, false);
            } catch (PosixException gone) {
                // reaped already
            }
            w.pidfd.close();
            throw e;
        }
    }

    private Hello hello(Settings s, LaunchPlan plan, int uid) {
        return new Hello(Protocol.VERSION, s.encode(), uid, uid, new int[0], folder(plan), imageFile);
    }

    private Hello hello(Settings s, LaunchPlan plan) {
        return new Hello(Protocol.VERSION, s.encode(), user.uid(), user.gid(), user.groups(), folder(plan), imageFile);
    }

    private static String folder(LaunchPlan plan) {
        return plan.scriptDir() == null ? null : plan.scriptDir().toString();
    }

    // Where the worker's classes come from, whether from jars (installed) or target/classes (tests).
    private static String workerClasspath() {
        Set<String> parts = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {WorkerMain.class, LuaValue.class, jnrConstants()}) {
            if (c == null) {
                continue;
            }
            try {
                parts.add(new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    private static Class<?> jnrConstants() {
        try {
            return Class.forName("jnr.constants.platform.AddressFamily", false, WorkerLauncher.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    void close() {
        devNull.close();
        if (imageFile != null) {
            imageFile.close();
        }
    }
}
