package kraken.cli;

import java.io.PrintStream;
import kraken.config.LuaErrorText;
import org.luaj.vm2.LuaError;

/** Writes errors to standard error as lua5.1 does: "kraken: message", then the traceback. */
final class ErrorReport {
    static final String PROGRAM = "kraken";
    /** What lua5.1 shows as the outermost frame; all we can show when LuaJ recorded no frames. */
    private static final String BARE_TRACEBACK = LuaErrorText.TRACEBACK + "\n\t[C]: ?";

    private final PrintStream err;

    ErrorReport(PrintStream err) {
        this.err = err;
    }

    /**
     * A runtime error, with the traceback noted where it was raised (null when there is none);
     * the REPL passes no program name, as lua5.1's does.
     */
    void runtime(String program, LuaError e, String traceback) {
        String text = LuaErrorText.of(e);
        if (text == null) {
            return;
        }
        // lua5.1 adds a traceback only to a message: an error object stays as it is.
        if (text.contains(LuaErrorText.TRACEBACK) || text.equals(LuaErrorText.NOT_A_STRING)) {
            print(program, text);
        } else if (traceback != null && traceback.startsWith(LuaErrorText.TRACEBACK.substring(1))) {
            // LuaJ names the Java code below the main chunk "[Java]: in ?"; lua5.1 calls it "[C]: ?".
            print(program, text + "\n" + traceback.replace("\t[Java]: in ?", "\t[C]: ?"));
        } else {
            print(program, text + BARE_TRACEBACK);
        }
    }

    /** An error that stopped code before it ran (syntax, a missing file): no traceback. */
    void load(String program, LuaError e) {
        String text = LuaErrorText.of(e);
        if (text != null) {
            print(program, LuaErrorText.withoutTraceback(text));
        }
    }

    /** A line with no program name: what lua5.1's interactive mode prints. */
    void plain(String text) {
        print(null, text);
    }

    void message(String text) {
        print(PROGRAM, text);
    }

    private void print(String program, String text) {
        err.println(program == null ? text : program + ": " + text);
        err.flush();
    }
}
