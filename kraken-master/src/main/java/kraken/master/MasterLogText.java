package kraken.master;

/** Text from outside the master (environment, clients) made safe for one log line. */
final class MasterLogText {
    private MasterLogText() {}

    /** Control characters and backslashes escaped, so no value can forge a log line. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                b.append("\\\\");
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
