package kraken.master.status;

/** Text as the Prometheus exposition format wants it in label values and HELP lines. */
final class LabelText {
    private LabelText() {}

    /** A label value: backslash, double quote and line feed escaped. */
    static String value(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A word usable as a label value without surprises: [a-z0-9_], 1 to 40 characters. */
    static boolean isName(String s) {
        if (s == null || s.isEmpty() || s.length() > 40) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
