-- /etc/kraken.lua: Kraken's configuration (trusted Lua, run by the master before the script).
-- Every key is shown with its default; this file as shipped changes nothing. A script can read
-- these keys (kraken.workers.max) but only this file can set them. Nil means the default.
-- Other files: kraken --config FILE, or KRAKEN_CONFIG=FILE; an empty name means these defaults.

-- What to do when the OS refuses to start a worker (out of memory, process limit, ...).
kraken.mm = {
  tries = 5,            -- attempts in all, 1 to 100 (1: no retry)
  timeout = {50, 500},  -- wait between attempts in ms, drawn from [min, max] (0 to 3600000);
                        -- a single number n means {0, n}
}

-- "process": a worker serves one connection, then exits.
-- "state": a worker serves up to kraken.workers.connections connections, one after another,
-- each in a brand-new Lua state.
kraken.isolation = "process"

kraken.workers = {
  spare = 2,            -- ready, idle workers kept waiting for connections (0 to max)
  max = 64,             -- workers alive at once, busy and idle: the concurrency cap (1 to 10000)
  connections = 1000,   -- connections per worker in "state" isolation (1 to 2147483647)
}

-- The user workers run as when the script registers none: a name or a uid.
-- nil: "nobody" when the master runs as root, else the master's own user.
kraken.user = nil

-- true lets workers run as root; nothing else does.
kraken.allow_root = false

kraken.limits = {
  time = 300,           -- seconds a connection may last before its worker is killed (> 0)
  memory = "64m",       -- a worker's Java heap, "16m" to "1024g" (k, m, g suffixes)
  cpu = nil,            -- CPU seconds one connection may use; nil: no limit
  files = nil,          -- a worker's RLIMIT_NOFILE (64 to 1048576); nil: no limit
  line = 65536,         -- the longest line receive() accepts, in bytes
  coroutines = 1000,    -- coroutines alive at once in one Lua state (1 to 100000)
}

-- true: workers and the script get the sandboxed libraries (no io, os.execute, debug, ...).
kraken.sandbox = false

-- Seconds a graceful stop (TERM, INT) waits for busy workers before killing them.
kraken.grace = 30
