package kraken.lua51;

import java.io.File;
import java.util.Arrays;
import java.util.Locale;

/**
 * os.setlocale's state: a C program starts in the "C" locale and lua5.1 never leaves it by itself.
 * A locale is claimed only if the machine has it and this layer behaves as C does in it: "C",
 * "POSIX" and C.UTF-8 (same classes, collation and decimal point as "C"). Any other name
 * answers nil, as lua5.1 does for a locale the machine lacks: claiming pt_BR without its decimal
 * comma or its collation would be a lie a script would act on.
 */
final class Locales {
    /** glibc's categories, in the order of its composite names. */
    private static final String[] GLIBC = {"CTYPE", "NUMERIC", "TIME", "COLLATE", "MONETARY", "MESSAGES",
        "PAPER", "NAME", "ADDRESS", "TELEPHONE", "MEASUREMENT", "IDENTIFICATION"};
    private static final String[] LUA = {"ctype", "numeric", "time", "collate", "monetary"};

    private final String[] current = new String[GLIBC.length];

    Locales() {
        Arrays.fill(current, "C");
    }

    static boolean isCategory(String category) {
        return category.equals("all") || Arrays.asList(LUA).contains(category);
    }

    /** setlocale(3): the locale now in force for the category, or null when the name is refused. */
    String set(String locale, String category) {
        int[] targets = category.equals("all") ? allIndexes() : new int[] {index(category)};
        if (locale != null) {
            String[] names = new String[targets.length];
            for (int i = 0; i < targets.length; i++) {
                names[i] = locale.isEmpty() ? fromEnvironment(GLIBC[targets[i]]) : locale;
                if (!available(names[i])) {
                    return null;
                }
                if (names[i].equals("POSIX")) {
                    names[i] = "C"; // glibc's name for it
                }
            }
            for (int i = 0; i < targets.length; i++) {
                current[targets[i]] = names[i];
            }
        }
        return query(targets);
    }

    private String query(int[] targets) {
        if (targets.length == 1) {
            return current[targets[0]];
        }
        boolean same = Arrays.stream(current).allMatch(current[0]::equals);
        if (same) {
            return current[0];
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < GLIBC.length; i++) {
            sb.append(i > 0 ? ";" : "").append("LC_").append(GLIBC[i]).append('=').append(current[i]);
        }
        return sb.toString();
    }

    private static int[] allIndexes() {
        int[] all = new int[GLIBC.length];
        Arrays.setAll(all, i -> i);
        return all;
    }

    private static int index(String luaCategory) {
        return Arrays.asList(GLIBC).indexOf(luaCategory.toUpperCase(Locale.ROOT));
    }

    /** What setlocale(category, "") reads: LC_ALL, then LC_<category>, then LANG. */
    private static String fromEnvironment(String category) {
        for (String var : new String[] {"LC_ALL", "LC_" + category, "LANG"}) {
            String v = System.getenv(var);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "C";
    }

    static boolean available(String name) {
        if (name.equals("C") || name.equals("POSIX")) {
            return true;
        }
        int dot = name.indexOf('.');
        if (dot < 0 || !name.substring(0, dot).equals("C")) {
            return false;
        }
        String codeset = name.substring(dot + 1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return codeset.equals("utf8")
                && (new File("/usr/lib/locale/C.utf8").isDirectory() || new File("/usr/lib/locale/C.UTF-8").isDirectory());
    }
}
