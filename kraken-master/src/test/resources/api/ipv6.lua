-- IPv6 on ::1, and "*" as "::" for AF.INET6.
local check = require "check"

local srv, client, conn, from = check.pair(kraken.AF.INET6, "::1")
check.eq(from.host, "::1", "peer host")
check.eq(srv:getip(), "::1", "getip")
check.eq(client:getip(), "::1", "client getip")
check.eq(client:send("over six"), 10, "send")
check.eq(conn:receive(), "over six", "receive")
check.eq(conn:rawsend("\0\255"), 2, "rawsend")
check.eq(check.recv(client, 2), "\0\255", "rawrecv")
client:close()
check.fails("closed", "receive at end", conn:receive())

local any = assert(kraken.socket(kraken.AF.INET6))
assert(any:bind { host = "*", port = 0 })
check.eq(any:getip(), "::", "* on IPv6")
assert(any:listen())
local c = assert(kraken.socket(kraken.AF.INET6))
assert(c:connect("::1", any:getport()))
local a, peer = any:accept()
check.eq(peer.host, "::1", "peer through ::")
a:close() c:close() any:close() conn:close() srv:close()
print("ok")
