package kraken.master;

import java.io.IOException;
import java.nio.file.Path;
import kraken.image.ImageLimits;
import kraken.posix.Descriptors;
import kraken.posix.Fd;
import kraken.posix.Posix;
import kraken.posix.PosixException;
import kraken.posix.master.Processes;
import kraken.protocol.ScriptProtocol;
import kraken.settings.Settings;

/**
 * HUP in a root master (docs/signals.md): the script's top level runs once more, in a new script
 * process with the current configuration, and new workers start from the image it reports at
 * kraken.loop(). The supervisor never waits for it: its link and its pidfd are watched by the
 * event loop, one message read per wake-up into a bounded report. When the report is complete the
 * process is killed (its kraken.loop() never returns: nothing after it runs twice); when it ends,
 * breaks the protocol or sends too much first, the reload fails and the old image is kept. A new
 * HUP abandons a reload still under way. Only the supervisor thread uses it.
 */
final class TopLevelReload {
    /** What the supervisor does when the reload ends: an image, or why there is none. */
    interface Outcome {
        void reloaded(byte[] image, Path scriptDir, String failure);
    }

    private final ScriptProcess.Reloads reloads;
    private final EventLoop loop;
    private Run run;

    TopLevelReload(ScriptProcess.Reloads reloads, EventLoop loop) {
        this.reloads = reloads;
        this.loop = loop;
    }

    /** Starts the top level again; outcome is called once, from the event loop (or now, when it cannot start). */
    void start(Settings current, Outcome outcome) {
        if (run != null) {
            run.finish(null, null, "a newer HUP replaced it");
        }
        int[] p;
        Fd stdinRead = null;
        try {
            // Standard input at end of file: a reload has no terminal and no program to read.
            p = Descriptors.pipe(false);
            stdinRead = new Fd(p[0]);
            new Fd(p[1]).close();
            ScriptProcess.Launched l = reloads.start(current, stdinRead);
            run = new Run(l, new ScriptProtocol.ReportReader(ImageLimits.forHeap(current)), outcome);
            MasterLog.info("reload: running the script's top level again (script process " + l.pid() + ")");
        } catch (IOException e) {
            outcome.reloaded(null, null, "cannot start a script process: " + e.getMessage());
        } finally {
            if (stdinRead != null) {
                stdinRead.close();
            }
        }
    }

    /** At the master's stop: a reload under way is abandoned. */
    void close() {
        if (run != null) {
            run.finish(null, null, "the master stopped");
        }
    }

    /** One reload's script process, from its start until it is reaped. */
    private final class Run {
        private final int pid;
        private final Fd link;
        private final Fd pidfd;
        private final ScriptProtocol.ReportReader reader;
        private Outcome outcome;
        private EventLoop.Registration linkWatch;
        private EventLoop.Registration exitWatch;

        Run(ScriptProcess.Launched l, ScriptProtocol.ReportReader reader, Outcome outcome) throws IOException {
            this.pid = l.pid();
            this.link = l.link();
            this.reader = reader;
            this.outcome = outcome;
            this.pidfd = new Fd(Processes.pidfdOpen(pid));
            linkWatch = loop.register(link, EventLoop.Priority.MESSAGES, events -> readOne());
            exitWatch = loop.register(pidfd, EventLoop.Priority.MESSAGES, events -> reap());
        }

        private void readOne() {
            try {
                if (reader.readOne(link)) {
                    ScriptProtocol.Report r = reader.report();
                    finish(r.image(), r.loop().scriptDir() == null ? null : Path.of(r.loop().scriptDir()), null);
                }
            } catch (ScriptProtocol.LinkEnded ended) {
                finish(null, null, "the script ended before kraken.loop() (its errors are above)");
            } catch (IOException e) {
                finish(null, null, "the script's process broke the protocol (" + e.getMessage() + ")");
            }
        }

        /** Reports the outcome once, and kills the process: what it would do next is not wanted. */
        void finish(byte[] image, Path scriptDir, String failure) {
            if (outcome == null) {
                return;
            }
            Outcome o = outcome;
            outcome = null;
            loop.unregister(linkWatch);
            link.close();
            try {
                Processes.kill(pid, Posix.Constant.SIGKILL.value);
            } catch (PosixException gone) {
                // exited already: the pidfd reports it
            }
            if (run == this) {
                run = null;
            }
            o.reloaded(image, scriptDir, failure);
        }

        private void reap() {
            if (outcome != null) {
                finish(null, null, "the script's process exited before kraken.loop()");
            }
            loop.unregister(exitWatch);
            pidfd.close();
            try {
                Processes.waitpid(pid, true);
            } catch (PosixException reaped) {
                // reaped by the orphan reaper of a uid range
            }
        }
    }
}
