-- The reference server: the program every user writes (docs/lua-api.md) served the way the original Kraken did it,
-- one fork per connection, on Debian's lua5.1 + lua-posix + lua-socket.
-- Usage: BENCH_PORT=8001 lua5.1 bench/fork-server.lua   (or: lua5.1 bench/fork-server.lua 8001)
local socket = require("socket")
local posix = require("posix")

local port = tonumber(arg[1] or os.getenv("BENCH_PORT") or "8001")
assert(port and port >= 1 and port <= 65535, "fork-server: bad port")

local server = assert(socket.bind("*", port, 128))
-- A short accept timeout lets the loop reap children that finish while no connection arrives,
-- so zombies never pile up and their CPU reaches our cutime/cstime promptly.
server:settimeout(0.1)

-- Reaping with waitpid (not SIGCHLD = SIG_IGN) is what charges the children's CPU to us.
local function reap()
  while true do
    local pid = posix.wait(-1, posix.WNOHANG)
    if not pid or pid == 0 then return end
  end
end

local function serve(skt)
  local host, cport = skt:getpeername()
  print("Connection from " .. tostring(host) .. ":" .. tostring(cport))
  skt:send(">")
  local line = skt:receive("*l")
  print("Received: " .. tostring(line))
  -- send("Ok\n") of the program every user writes (docs/lua-api.md) appends "\r\n".
  skt:send("Ok\n" .. "\r\n")
  skt:close()
end

io.stdout:setvbuf("line")
print("fork-server: listening on port " .. port .. " pid " .. posix.getpid("pid"))

while true do
  local client = server:accept()
  if client then
    local pid = posix.fork()
    if pid == 0 then
      server:close()
      client:settimeout(300)
      local ok, err = pcall(serve, client)
      if not ok then io.stderr:write("fork-server: ", tostring(err), "\n") end
      io.stdout:flush()
      posix._exit(0)
    elseif pid == nil then
      io.stderr:write("fork-server: fork failed\n")
    end
    client:close()
  end
  reap()
end
