package kraken.config;

/**
 * A bad key or value, raised from inside the configuration's Lua code. It is an Error, not a
 * LuaError, so a pcall in the configuration file cannot swallow it: a bad value always stops
 * the program.
 */
final class BadConfiguration extends Error {
    private static final long serialVersionUID = 1L;

    /** "file:line" of the assignment, or null when no line applies. */
    private final String where;

    BadConfiguration(String where, String message) {
        super(message, null, false, false);
        this.where = where;
    }

    /** The message for the user: "where: message", or "file: message" when no line applies. */
    String located(String file) {
        return (where != null ? where : file) + ": " + getMessage();
    }
}
