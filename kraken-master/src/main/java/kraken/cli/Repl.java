package kraken.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kraken.config.LuaErrorText;
import kraken.protocol.Protocol.Step;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Interactive mode, as lua5.1's: prompt "> " (or _PROMPT), ">> " (or _PROMPT2) while a statement
 * is incomplete, "=expr" prints the values of expr, a non-nil result is printed, an error is
 * reported (without the program's name) and the session goes on. At the end of input it prints
 * a newline. When standard input is not a terminal each line read is echoed after its prompt,
 * as Debian's lua5.1 (through readline) does, so a transcript reads like a session.
 */
final class Repl {
    private static final Pattern LINE = Pattern.compile("^stdin:(\\d+):");

    private final ProgramRunner runner;
    private final ProgramRecord record;
    private final InputStream in;
    private final PrintStream out;
    private final ErrorReport report;
    private final boolean echo;

    Repl(ProgramRunner runner, ProgramRecord record, InputStream in, PrintStream out, ErrorReport report, boolean echo) {
        this.runner = runner;
        this.record = record;
        this.in = in;
        this.out = out;
        this.report = report;
        this.echo = echo;
    }

    void run() throws IOException {
        for (;;) {
            String line = readLine(true);
            if (line == null) {
                break;
            }
            String code = line.startsWith("=") ? "return " + line.substring(1) : line;
            LuaValue chunk = null;
            while (chunk == null) {
                try {
                    chunk = compile(code);
                } catch (LuaError e) {
                    if (!incomplete(code, e)) {
                        report.load(null, e);
                        break;
                    }
                    String more = readLine(false);
                    if (more == null) {
                        finish();
                        return;
                    }
                    code = code + "\n" + more;
                }
            }
            if (chunk != null) {
                execute(chunk, code);
            }
        }
        finish();
    }

    private void finish() {
        out.print("\n");
        out.flush();
    }

    private void execute(LuaValue chunk, String code) {
        int mark = record.add(new Step(Step.Kind.STATEMENT, ArgvBytes.text(code)));
        Varargs results = runner.call(null, chunk::invoke);
        if (results == null) {
            record.dropFrom(mark);
            return;
        }
        if (results.narg() > 0) {
            try {
                runner.globals().get("print").invoke(results);
            } catch (LuaError e) {
                String text = LuaErrorText.of(e);
                report.plain("error calling 'print' (" + (text == null ? "nil" : text) + ")");
            }
        }
        out.flush();
    }

    private LuaValue compile(String code) {
        return runner.globals().load(new ByteArrayInputStream(ProgramRunner.bytes(code)), "=stdin", "bt",
                runner.globals());
    }

    /**
     * lua5.1 waits for more input when the syntax error is at the end of the text ("near <eof>").
     * LuaJ's messages do not say where, but its line number follows the end of the text: if two
     * more newlines move the error, it was at the end.
     */
    private boolean incomplete(String code, LuaError first) {
        try {
            compile(code + "\n\n");
            return false;
        } catch (LuaError again) {
            String a = lineOf(first);
            return a != null && !a.equals(lineOf(again));
        }
    }

    private static String lineOf(LuaError e) {
        Matcher m = LINE.matcher(String.valueOf(e.getMessage()));
        return m.find() ? m.group(1) : null;
    }

    private String prompt(boolean first) {
        LuaValue p = runner.globals().get(first ? "_PROMPT" : "_PROMPT2");
        return p.isstring() ? p.tojstring() : first ? "> " : ">> ";
    }

    /** The next line without its newline (one char per byte), or null at the end of input. */
    private String readLine(boolean first) throws IOException {
        out.print(prompt(first));
        out.flush();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        if (c < 0 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        if (echo) {
            out.write(line.toByteArray());
            out.write('\n');
            out.flush();
        }
        return text;
    }
}
