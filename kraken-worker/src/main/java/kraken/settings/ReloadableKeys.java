package kraken.settings;


/**
 * What a SIGHUP may change: the pool and limit keys. The user, allow_root and the sandbox stay
 * as the master started, since they decide what the script already ran with.
 */
public final class ReloadableKeys {
    private ReloadableKeys() {}

    public static Settings apply(Settings current, Settings fresh) {
        Settings s = Settings.decode(current.encode());
        s.mmTries = fresh.mmTries;
        s.mmTimeoutMin = fresh.mmTimeoutMin;
        s.mmTimeoutMax = fresh.mmTimeoutMax;
        s.mmTimeoutRange = fresh.mmTimeoutRange;
        s.isolation = fresh.isolation;
        s.workersSpare = fresh.workersSpare;
        s.workersMax = fresh.workersMax;
        s.workersConnections = fresh.workersConnections;
        s.workersIdle = fresh.workersIdle;
        s.limitTime = fresh.limitTime;
        s.limitMemory = fresh.limitMemory;
        s.limitCpu = fresh.limitCpu;
        s.limitFiles = fresh.limitFiles;
        s.limitLine = fresh.limitLine;
        s.limitCoroutines = fresh.limitCoroutines;
        s.limitPerSource = fresh.limitPerSource;
        s.limitRefusal = fresh.limitRefusal;
        s.limitProcesses = fresh.limitProcesses;
        s.limitMemoryTotal = fresh.limitMemoryTotal;
        s.grace = fresh.grace;
        s.logConnections = fresh.logConnections;
        return s;
    }
}
