package kraken.settings;

/**
 * What a SIGHUP may change: the keys {@link Keys} declares reloadable (the pool and the limits).
 * The user, allow_root, the sandbox, the status address and the trusted proxies stay as the
 * master started, since they decide what the script already ran with and what is bound.
 */
public final class ReloadableKeys {
    private ReloadableKeys() {}

    public static Settings apply(Settings current, Settings fresh) {
        Settings s = Settings.decode(current.encode());
        for (Key k : Keys.ALL) {
            if (k.reloadable()) {
                k.reload().accept(s, fresh);
            }
        }
        return s;
    }
}
