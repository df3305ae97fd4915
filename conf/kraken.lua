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
  spare = 2,            -- spare workers kept: ready, or preparing a fresh state (0 to max)
  max = 64,             -- workers alive at once, busy and idle: the concurrency cap (1 to 10000)
  connections = 10000,  -- connections per worker in "state" isolation at most (1 to 2147483647)
  idle = 10,            -- seconds an idle worker above the spare target waits before it retires
}

-- The user workers run as when the script registers none: a name or a uid.
-- nil: "nobody" when the master runs as root, else the master's own user.
-- Or a range {from = UID, to = UID} (root master only): each live worker gets a uid of its own
-- (gid the same number, no supplementary groups); the uids must be used by nothing else, since
-- the master kills every process of a uid before giving it to a new worker.
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
  per_source = nil,     -- connections at once from one client address (IPv6: per /64); nil: no limit
  refusal = nil,        -- a string written to a connection refused by per_source (at most 1024 bytes)
  processes = 2048,     -- processes and threads of a worker and all it starts (32 to 4194304): its
                        -- control group's pids.max (all workers together: at most half of pid_max)
  memory_total = "512m", -- memory of a worker and all it starts, "64m" to "1024g": over it, the
                        -- kernel kills the group's largest process
}

-- true: workers and the script get the sandboxed libraries (no io, os.execute, debug, ...).
kraken.sandbox = false

-- Walls around every worker (docs/walls.md), read at start: network = "none" gives each worker
-- a network namespace of its own (it serves its connection and reaches nothing else), files =
-- "read-only" a read-only file system with a private, empty /tmp. "host": as the user may.
-- A system-call filter walls in every worker whatever this says.
kraken.confine = {network = "host", files = "host"}

-- Seconds a graceful stop (TERM, INT) waits for busy workers before killing them.
kraken.grace = 30

-- Where the master serves its status (GET /status) and Prometheus metrics (GET /metrics), over
-- HTTP: {host = "127.0.0.1", port = 9100} or {path = "/run/kraken.status"} (a Unix-domain
-- socket). nil: no status server. `kraken status` asks the running master through it.
kraken.status = nil

kraken.log = {
  connections = true,   -- false: no log line per served connection (errors, kills and refusals
                        -- are still logged)
}
