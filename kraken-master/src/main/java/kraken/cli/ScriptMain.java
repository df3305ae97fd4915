package kraken.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import kraken.posix.Descriptors;
import kraken.posix.ThisProcess;
import kraken.settings.Settings;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.protocol.Protocol;
import kraken.protocol.ScriptProtocol;
import kraken.worker.PrivilegeDrop;

/**
 * The script process of a root master (docs/processes.md, "Who runs what"): started by the
 * master like a worker, it takes its orders (the settings the master loaded, the user, the command
 * line) over the link at descriptor 3, drops to kraken.user and hardens itself as a worker does,
 * and only then runs the program, with the command's standard streams. Its exit status is the
 * command's; at kraken.loop() it reports to the master ({@link LinkLoop}).
 */
public final class ScriptMain {
    private ScriptMain() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(
                new BrokenPipeExit(new FileOutputStream(FileDescriptor.out)), 8192), true, StandardCharsets.UTF_8);
        System.setOut(out);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        ErrorReport report = new ErrorReport(err);
        Fd link = new Fd(Protocol.LINK_FD);
        int status;
        try {
            ScriptProtocol.Start start = ScriptProtocol.receiveStart(link);
            if (start == null) {
                Main.exit(1);
                return;
            }
            // Children the script starts (os.execute, io.popen) must not inherit the link.
            Descriptors.setCloseOnExec(link.get());
            Settings settings = Settings.decode(start.settings());
            openClassPath();
            PrivilegeDrop.applyToScriptProcess(start.uid(), start.gid(), start.groups(), settings.allowRoot);
            // The drop clears the parent-death signal, so it is set after it: a master that dies
            // takes its script with it.
            ThisProcess.setParentDeathSignal(Posix.Constant.SIGKILL.value);
            Invocation inv = Invocation.parse(start.argv().toArray(new String[0]));
            status = Main.runHere(inv, settings, () -> settings, System.in, out, err,
                    record -> new LinkLoop(link, record, settings));
        } catch (IOException e) {
            report.message(e.getMessage());
            status = 1;
        } catch (Throwable t) {
            err.println(ErrorReport.PROGRAM + ": internal error: " + t);
            t.printStackTrace(err);
            status = 1;
        }
        Main.exit(status);
    }

    /**
     * Opens every jar of the class path while this process may still read them all (a build's
     * jars may sit in root's own folders): once open, the class loader keeps reading them after
     * the drop. Looking up a resource that no entry has opens each entry, and loads no class.
     */
    private static void openClassPath() {
        ScriptMain.class.getClassLoader().getResource("kraken/no-such-resource");
    }
}
