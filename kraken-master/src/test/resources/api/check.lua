-- Assertions shared by the API scripts. Each failure raises, so kraken exits with status 1.
local check = {}

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function check.eq(got, want, what)
  if got ~= want then
    error((what or "value") .. ": expected " .. show(want) .. ", got " .. show(got), 2)
  end
end

-- A call that failed the kraken way: nil and the given message.
function check.fails(message, what, ...)
  local n = select("#", ...)
  local v, m = ...
  if n < 2 or v ~= nil or m ~= message then
    error(what .. ": expected nil, " .. show(message) .. ", got " .. show(v) .. ", " .. show(m), 2)
  end
end

-- A call that raised an error containing the given text.
function check.raises(text, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error("expected an error containing " .. show(text) .. ", got none", 2) end
  if not string.find(tostring(err), text, 1, true) then
    error("expected an error containing " .. show(text) .. ", got " .. show(err), 2)
  end
end

-- A listening socket, a client connected to it and the accepted end: srv, client, conn.
function check.pair(family, host)
  family = family or kraken.AF.INET
  host = host or "127.0.0.1"
  local srv = assert(kraken.socket(family))
  assert(srv:bind { host = host, port = 0 })
  assert(srv:listen())
  local client = assert(kraken.socket(family))
  assert(client:connect(host, srv:getport()))
  local conn, from = srv:accept()
  assert(conn, from)
  check.eq(from.port, client:getport(), "peer port")
  return srv, client, conn, from
end

-- Everything rawrecv returns until n bytes have arrived.
function check.recv(skt, n)
  local parts, got = {}, 0
  while got < n do
    local s, err = skt:rawrecv(n - got)
    if not s then error("rawrecv: " .. tostring(err), 2) end
    parts[#parts + 1] = s
    got = got + #s
  end
  return table.concat(parts)
end

return check
