package kraken.master;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import kraken.image.ImageLimits;
import kraken.lua.module.Registry;
import kraken.posix.Descriptors;
import kraken.posix.Privileges;
import kraken.settings.Settings;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;
import kraken.posix.master.Walls;
import kraken.protocol.Protocol;
import kraken.protocol.ScriptProtocol;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The master's side of the script process (docs/processes.md, "Who runs what"). A root master
 * runs the configuration and Kraken's own code, never the script: the script runs in a process of
 * its own ({@code kraken.cli.ScriptMain}), started like a worker (the same spawn, a session of its
 * own) and hardened like one, as kraken.user, with the command's standard streams. The master
 * waits for it; at each kraken.loop() it reports what was registered, and the master checks that
 * against the configuration, binds and serves with the ordinary {@link MasterLoop}, then answers
 * with the loop's result. The script process's exit status is the command's.
 *
 * <p>The script process is not trusted. Its messages are read one at a time into a bounded buffer,
 * only while the master waits for it (never while it serves, so nothing it sends then is read at
 * all); one the master does not understand ends it. Its output goes straight to the command's
 * streams, never through the master.
 */
public final class ScriptProcess {
    /** Signals the command receives while the script runs; they are the script's (a shell's ^C). */
    private static final String[] FORWARDED = {"INT", "TERM", "HUP", "QUIT", "USR1", "USR2"};

    private final Settings settings;
    private final Callable<Settings> reload;
    private final PrintStream err;
    private final int pid;
    private final Fd link;
    private final List<Signal> forwarding = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private Reloads reloads;

    private ScriptProcess(Settings settings, Callable<Settings> reload, PrintStream err, int pid, Fd link) {
        this.settings = settings;
        this.reload = reload;
        this.err = err;
        this.pid = pid;
        this.link = link;
    }

    /** Whether the script must run apart: the master has privileges to protect (it is root). */
    public static boolean needed() {
        return Privileges.geteuid() == 0;
    }

    /**
     * Runs the command's program (argv: the command line's arguments, one char per byte) in a
     * script process; serves what it registers; returns the exit status the command ends with.
     */
    public static int run(List<String> argv, Settings settings, Callable<Settings> reload, PrintStream err) {
        WorkerUser user;
        try {
            user = userOf(settings);
        } catch (IllegalArgumentException e) {
            err.println("kraken: the script cannot run: " + e.getMessage());
            return 1;
        }
        Launched l;
        try {
            l = launch(argv, user, settings, 0);
        } catch (IOException e) {
            err.println("kraken: cannot start the script's process: " + e.getMessage());
            return 1;
        }
        Orphans.keepExitOf(l.pid());
        ScriptProcess p = new ScriptProcess(settings, reload, err, l.pid(), l.link());
        p.reloads = new Reloads(argv, user);
        return p.superviseUntilExit();
    }

    /** A script process just started: its pid and the master's end of its link. */
    record Launched(int pid, Fd link) {}

    /**
     * Starts a script process for argv as user, with these settings, standard input from stdin
     * (standard output and error are the master's), and sends it START.
     */
    static Launched launch(List<String> argv, WorkerUser user, Settings settings, int stdin) throws IOException {
        Settings forScript = Settings.decode(settings.encode());
        forScript.masterUid = Privileges.geteuid();
        ScriptProtocol.Start start = new ScriptProtocol.Start(forScript.encode(), user.uid(), user.gid(),
                user.groups(), argv);
        int[] pair = Descriptors.socketpair(Posix.Constant.SOCK_SEQPACKET.value);
        Fd masterEnd = new Fd(pair[0]);
        try (Fd scriptEnd = new Fd(pair[1])) {
            Descriptors.setCloseOnExec(masterEnd.get());
            // The workers' system-call filter (docs/walls.md): the script is no more trusted than a
            // worker. kraken.confine is the workers' alone: the top level may read its data files.
            Walls.prepare();
            int pid = Walls.spawn(ScriptCommand.java(), ScriptCommand.command().toArray(new String[0]),
                    ScriptCommand.environment(System.getenv()),
                    new int[] {0, stdin, 1, 1, 2, 2, Protocol.LINK_FD, scriptEnd.get()}, 0, WorkerWalls.TMP_OPTIONS);
            try {
                ScriptProtocol.sendStart(masterEnd, start);
            } catch (IOException e) {
                // It sees end-of-stream and exits; its status is reaped as usual.
                MasterLog.info("cannot give the script's process " + pid + " its orders: " + e.getMessage());
            }
            Launched l = new Launched(pid, masterEnd);
            masterEnd = null;
            return l;
        } finally {
            if (masterEnd != null) {
                masterEnd.close();
            }
        }
    }

    /**
     * HUP (docs/signals.md): the same command line, run again in a new script process with the
     * current configuration and no standard input, up to kraken.loop(), for a new image.
     */
    public static final class Reloads {
        private final List<String> argv;
        private final WorkerUser user;

        Reloads(List<String> argv, WorkerUser user) {
            this.argv = argv;
            this.user = user;
        }

        Launched start(Settings current, Fd devNull) throws IOException {
            return launch(argv, user, current, devNull.get());
        }
    }

    /** How HUP runs argv's top level again under these settings; null when its user cannot be used. */
    public static Reloads reloadsFor(List<String> argv, Settings settings) {
        try {
            return new Reloads(argv, userOf(settings));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * kraken.user (the root master's default is nobody); root only with kraken.allow_root. With a
     * uid range the script runs as nobody: the range excludes it, and a uid of the range would be
     * shared with a worker, whose leftovers the master kills by uid when it ends.
     */
    static WorkerUser userOf(Settings s) {
        if (s.userFrom != null) {
            Settings nobody = Settings.decode(s.encode());
            nobody.userFrom = null;
            nobody.userTo = null;
            nobody.user = "nobody";
            return WorkerUser.resolve(null, nobody);
        }
        return WorkerUser.resolve(null, s);
    }

    /** Answers each kraken.loop() of the script process until it exits; returns its status. */
    private int superviseUntilExit() {
        forwardSignals();
        try {
            while (link.isOpen()) {
                ScriptProtocol.Report report;
                try {
                    report = ScriptProtocol.receiveReport(link, ImageLimits.forHeap(settings));
                } catch (IOException e) {
                    err.println("kraken: the script's process broke the protocol (" + e.getMessage() + "); killed");
                    kill(Posix.Constant.SIGKILL.value);
                    break;
                }
                if (report == null) {
                    break;
                }
                stopForwarding();
                String failure = serve(report);
                forwardSignals();
                try {
                    ScriptProtocol.sendResult(link, new ScriptProtocol.Result(failure == null, failure));
                } catch (IOException e) {
                    break; // it is gone: its status says the rest
                }
            }
        } finally {
            link.close();
        }
        int status = statusOf(awaitExit());
        stopForwarding();
        return status;
    }

    // The image is the script process's bytes: the master never parses it, it hands it to workers.
    private String serve(ScriptProtocol.Report report) {
        ScriptProtocol.Loop r = report.loop();
        List<Registry.Address> addresses = new ArrayList<>();
        for (ScriptProtocol.Address a : r.addresses()) {
            addresses.add(new Registry.Address(a.host(), a.port(), a.path()));
        }
        LaunchPlan plan = new LaunchPlan(report.image(), r.scriptDir() == null ? null : Path.of(r.scriptDir()), reload);
        return new MasterLoop(settings, plan).reloading(reloads).serve(addresses, r.application() != null, r.user());
    }

    private Processes.Exit awaitExit() {
        try {
            return Processes.waitpid(pid, false);
        } catch (PosixException e) {
            // Reaped by the orphan reaper of a uid range while the master served.
            return Orphans.keptExit();
        }
    }

    /** A shell's reading: the exit code, or 128 + the signal that killed it. */
    static int statusOf(Processes.Exit e) {
        if (e == null) {
            return 1;
        }
        return e.exited() ? e.exitCode() : 128 + e.signal();
    }

    private void kill(int signal) {
        try {
            Processes.kill(pid, signal);
        } catch (PosixException gone) {
            // Already exited: waitpid has its status.
        }
    }

    // A handler only sends the signal on: the script's process decides what it means.
    private void forwardSignals() {
        for (String name : FORWARDED) {
            try {
                Signal s = new Signal(name);
                previous.add(Signal.handle(s, sig -> kill(sig.getNumber())));
                forwarding.add(s);
            } catch (IllegalArgumentException reserved) {
                // A signal this JVM keeps for itself (QUIT under -Xrs...): left as it is.
            }
        }
    }

    private void stopForwarding() {
        for (int i = 0; i < forwarding.size(); i++) {
            Signal.handle(forwarding.get(i), previous.get(i));
        }
        forwarding.clear();
        previous.clear();
    }
}
