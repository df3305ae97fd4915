package kraken.cli;

import java.io.PrintStream;

/** The help text and the version line. */
final class Usage {
    private Usage() {}

    static final String VERSION = "Kraken 0.1.0  Lua 5.1 for the JVM (LuaJ 3.0.1, Java "
            + Runtime.version().feature() + ")";

    static final String TEXT = String.join("\n",
            "usage: kraken [options] [script [args]].",
            "       kraken status [--config FILE] [--metrics]   print the running master's status",
            "Available options are:",
            "  -e stat        execute string 'stat'",
            "  -l name        require library 'name'",
            "  -i             enter interactive mode after executing 'script'",
            "  -v, --version  show version information",
            "  --config FILE  the configuration file (default: $KRAKEN_CONFIG, else /etc/kraken.lua;",
            "                 an empty FILE means the built-in default)",
            "  --check        load the configuration and run the script up to kraken.loop(),",
            "                 print what it registered and exit without serving",
            "  -h, --help     show this help",
            "  --             stop handling options",
            "  -              execute stdin and stop handling options",
            "");

    static void print(PrintStream out) {
        out.print(TEXT);
        out.flush();
    }
}
