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
            .addOption("v", false, "version")
            .addOption(Option.builder("h").longOpt("help").build())
            .addOption(Option.builder().longOpt("config").hasArg().argName("FILE").build())
            .addOption(Option.builder().longOpt("check").build());

    static Invocation parse(String... args) throws ParseException {
        List<String> split = splitAttachedValues(args);
        CommandLine cl = DefaultParser.builder().setAllowPartialMatching(false).setStripLeadingAndTrailingQuotes(false)
                .build().parse(OPTIONS, split.toArray(new String[0]), true);
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
                case "e" -> actions.add(new Action(false, o.getValue()));
                case "l" -> actions.add(new Action(true, o.getValue()));
                // As in lua5.1, -i shows the version too.
                case "i" -> interactive = version = true;
                case "v" -> version = true;
                case "h" -> help = true;
                case "check" -> check = true;
                case "config" -> config = o.getValue();
                default -> throw new ParseException("unrecognized option '" + o.getKey() + "'");
            }
        }
        return new Invocation(List.copyOf(Arrays.asList(args)), List.copyOf(actions), script, interactive, version,
                help, check, config);
    }

    /**
     * "-ex=1" as "-e", "x=1": lua5.1 takes any text glued to -e or -l as its value, where
     * commons-cli would read "x=1" as an option's name. Only tokens before the script count.
     */
    private static List<String> splitAttachedValues(String[] args) {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("-") || a.equals("--")) {
                break;
            }
            if ((a.startsWith("-e") || a.startsWith("-l")) && a.length() > 2) {
                out.add(a.substring(0, 2));
                out.add(a.substring(2));
                continue;
            }
            out.add(a);
            if ((a.equals("-e") || a.equals("-l") || a.equals("--config")) && i + 1 < args.length) {
                out.add(args[++i]);
            }
        }
        out.addAll(Arrays.asList(args).subList(i, args.length));
        return out;
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
