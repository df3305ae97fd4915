-- Every socket method and every failure convention, with the script as its own client.
local check = require "check"

local srv, client, conn, from = check.pair()
check.eq(from.host, "127.0.0.1", "peer host")
check.eq(type(from.port), "number", "peer port type")
check.eq(srv:getip(), "127.0.0.1", "getip")
check.eq(conn:getport(), srv:getport(), "accepted socket's local port")
check.eq(client:getoption(kraken.SO.ACCEPTCONN), false, "client ACCEPTCONN")
check.eq(srv:getoption(kraken.SO.ACCEPTCONN), true, "server ACCEPTCONN")

-- send adds "\r\n" and counts it; receive strips "\n" and one "\r" before it.
check.eq(client:send("hello"), 7, "send count")
check.eq(client:send(""), 2, "send of an empty line")
check.eq(client:rawsend("raw\r\r\nnext\nrest"), 15, "rawsend count")
check.eq(client:rawsend(65), 1, "rawsend of a byte")
check.eq(conn:receive(), "hello", "line")
check.eq(conn:receive(), "", "empty line")
check.eq(conn:receive(), "raw\r", "only the \\r before \\n goes")
check.eq(conn:rawrecv(2), "ne", "rawrecv takes from the buffer first")
check.eq(conn:receive(), "xt", "receive continues after rawrecv")
check.eq(conn:rawrecv(100), "restA", "buffered bytes")

-- Timeouts: nil, "timeout", and nothing read so far is lost.
check.eq(conn:settimeout(0.2), true, "settimeout")
local t = conn:gettimeout()
assert(math.abs(t.rcvtimeo - 0.2) < 0.01 and math.abs(t.sndtimeo - 0.2) < 0.01, "gettimeout")
check.eq(conn:getoption(kraken.SO.RCVTIMEO), true, "RCVTIMEO set")
check.fails("timeout", "receive with nothing", conn:receive())
check.fails("timeout", "rawrecv with nothing", conn:rawrecv(1))
client:rawsend("half")
check.fails("timeout", "receive of half a line", conn:receive())
client:rawsend(" and half\n")
check.eq(conn:receive(), "half and half", "a timeout loses no bytes")
srv:settimeout(0.1)
check.fails("timeout", "accept with nobody", srv:accept())
check.eq(conn:settimeout(0), true, "settimeout(0)")
check.eq(conn:gettimeout().rcvtimeo, 0, "no timeout")

-- Options are booleans.
for _, name in ipairs { "REUSEADDR", "KEEPALIVE", "LINGER", "OOBINLINE" } do
  local opt = kraken.SO[name]
  check.eq(conn:setoption(opt, true), true, "setoption " .. name)
  check.eq(conn:getoption(opt), true, "getoption " .. name)
  check.eq(conn:setoption(opt, false), true, "setoption " .. name)
  check.eq(conn:getoption(opt), false, "getoption " .. name)
end

-- A line over kraken.limits.line (65536 by default) is dropped.
local limit = 65536
client:send(string.rep("x", limit))
check.eq(#conn:receive(), limit, "a line of exactly the limit")
client:send(string.rep("y", limit + 1))
client:send("after")
check.fails("line too long", "overlong line", conn:receive())
check.eq(conn:receive(), "after", "the line after an overlong one")

-- End of stream: the unterminated last line, then "closed", for receive and rawrecv alike.
client:rawsend("one\nunterminated")
check.eq(client:close(), true, "close")
check.eq(client:close(), true, "close twice")
check.eq(conn:receive(), "one", "line before the end")
check.eq(conn:receive(), "unterminated", "unterminated last line")
check.fails("closed", "receive at end", conn:receive())
check.fails("closed", "rawrecv at end", conn:rawrecv(10))
local r, err
for _ = 1, 100 do
  r, err = conn:rawsend("x")
  if not r then break end
end
check.fails("closed", "rawsend to a peer that is gone", r, err)

-- Every method of a closed socket but close says "closed".
conn:close()
check.fails("closed", "accept", conn:accept())
check.fails("closed", "bind", conn:bind { host = "*", port = 0 })
check.fails("closed", "connect", conn:connect("127.0.0.1", 1))
check.fails("closed", "getoption", conn:getoption(kraken.SO.KEEPALIVE))
check.fails("closed", "setoption", conn:setoption(kraken.SO.KEEPALIVE, true))
check.fails("closed", "getip", conn:getip())
check.fails("closed", "getport", conn:getport())
check.fails("closed", "gettimeout", conn:gettimeout())
check.fails("closed", "settimeout", conn:settimeout(1))
check.fails("closed", "listen", conn:listen())
check.fails("closed", "rawrecv", conn:rawrecv(1))
check.fails("closed", "rawsend", conn:rawsend("x"))
check.fails("closed", "receive", conn:receive())
check.fails("closed", "send", conn:send("x"))
check.eq(conn:close(), true, "close of a closed socket")

-- Other failures carry the OS's own text.
local busy = srv:getport()
check.fails("Address already in use", "bind to a port in use", kraken.socket():bind { host = "127.0.0.1", port = busy })
srv:close()
check.fails("Connection refused", "connect to a closed port", kraken.socket():connect("127.0.0.1", busy))
check.fails("Operation not supported", "listen on a datagram socket",
  kraken.socket(kraken.AF.INET, kraken.SOCK.DGRAM):listen())
check.fails("Address family not supported by protocol", "socket of no family", kraken.socket(12345))

-- Unbound sockets have no address; "*" binds the any-address.
local fresh = kraken.socket()
check.eq(fresh:getip(), nil, "getip of an unbound socket")
check.eq(fresh:getport(), nil, "getport of an unbound socket")
assert(fresh:bind { host = "*", port = 0 })
check.eq(fresh:getip(), "0.0.0.0", "getip after binding *")
assert(fresh:getport() > 0, "port 0 picks a free port")
check.eq(fresh:listen(), true, "listen with the default backlog")
check.eq(tostring(fresh):match("^socket"), "socket", "tostring")
check.eq(getmetatable(fresh), "socket", "the shared metatable is protected")
fresh:close()

print("ok")
