package kraken.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * A parsed command line: `kraken [options] [script [args]]`, options as lua5.1 takes them
 * (parsing stops at the script, `--` or `-`) plus Kraken's own. Strings here hold one char per
 * byte of the original argument (see {@link ArgvBytes}).
 *
 * @param argv the arguments, without the interpreter's name
 * @param actions -e and -l in the order given
 * @param script index of the script in argv, -1 when there is none
 * @param config the value of --config, null when not given
 */
record Invocation(List<String> argv, List<Action> actions, int script, boolean interactive, boolean version,
                  boolean help, boolean check, String config) {

    /** -e stat or -l name. */
    record Action(boolean library, String text) {}

    private static final Options OPTIONS = new Options()
            .addOption(Option.builder("e").hasArg().argName("stat").build())
            .addOption(Option.builder("l").hasArg().argName("name").build())
            .addOption("i", false, "interactive")
            .addOption(Option.builder("v").longOpt("version").build())
            .addOption(Option.builder("h").longOpt("help").build())
            .addOption(Option.builder().longOpt("config").hasArg().argName("FILE").build())
            .addOption(Option.builder().longOpt("check").build());

    static Invocation parse(String... args) throws ParseException {
        List<String> values = new ArrayList<>();
        List<String> tokens = protectValues(args, values);
        CommandLine cl = DefaultParser.builder().setAllowPartialMatching(false).setStripLeadingAndTrailingQuotes(false)
                .build().parse(OPTIONS, tokens.toArray(new String[0]), true);
        List<String> rest = cl.getArgList();
        int script = rest.isEmpty() ? -1 : args.length - rest.size();
        if (script >= 0) {
            String first = args[script];
            boolean afterDashes = script > 0 && args[script - 1].equals("--");
            // With stopAtNonOption, commons-cli hands an unknown option on as if it were the script.
            if (first.startsWith("-") && !first.equals("-") && !afterDashes) {
                throw new ParseException("unrecognized option '" + first + "'");
            }
        }
        List<Action> actions = new ArrayList<>();
        boolean interactive = false;
        boolean version = false;
        boolean help = false;
        boolean check = false;
        String config = null;
        for (Option o : cl.getOptions()) {
            switch (o.getKey()) {
                case "e" -> actions.add(new Action(false, valueOf(o, values)));
                case "l" -> actions.add(new Action(true, valueOf(o, values)));
                // As in lua5.1, -i shows the version too.
                case "i" -> interactive = version = true;
                case "v" -> version = true;
                case "h" -> help = true;
                case "check" -> check = true;
                case "config" -> config = valueOf(o, values);
                default -> throw new ParseException("unrecognized option '" + o.getKey() + "'");
            }
        }
        return new Invocation(List.copyOf(Arrays.asList(args)), List.copyOf(actions), script, interactive, version,
                help, check, config);
    }

    /**
     * Takes the values of -e, -l and --config out of commons-cli's sight, as lua5.1 does: any word
     * after -e is its value ("--" and "-i" are Lua code there), and so is text glued to it
     * ("-ex=1", which commons-cli would read as an option named "x"). Each value becomes
     * "\0" and its index in values: no command-line word can hold a NUL byte.
     */
    private static List<String> protectValues(String[] args, List<String> values) {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("-") || a.equals("--")) {
                break;
            }
            boolean glued = (a.startsWith("-e") || a.startsWith("-l")) && a.length() > 2;
            boolean separate = (a.equals("-e") || a.equals("-l") || a.equals("--config")) && i + 1 < args.length;
            if (glued || separate) {
                out.add(glued ? a.substring(0, 2) : a);
                out.add("\0" + values.size());
                values.add(glued ? a.substring(2) : args[++i]);
            } else {
                out.add(a);
            }
        }
        out.addAll(Arrays.asList(args).subList(i, args.length));
        return out;
    }

    private static String valueOf(Option o, List<String> values) {
        String v = o.getValue();
        return v.startsWith("\0") ? values.get(Integer.parseInt(v.substring(1))) : v;
    }

    boolean hasScript() {
        return script >= 0;
    }

    /** `-` as the script reads it from standard input; after `--`, "-" is a file of that name, as in lua5.1. */
    boolean scriptFromStdin() {
        return hasScript() && argv.get(script).equals("-") && !(script > 0 && argv.get(script - 1).equals("--"));
    }

    String scriptName() {
        return hasScript() ? argv.get(script) : null;
    }

    /** The script's arguments: everything after it. */
    List<String> scriptArgs() {
        return hasScript() ? argv.subList(script + 1, argv.size()) : List.of();
    }
}
