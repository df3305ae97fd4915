-- The script as a server; ApiScriptsTest is the client. The port is KRAKEN_TEST_PORT.
local check = require "check"

local port = assert(tonumber(os.getenv("KRAKEN_TEST_PORT")), "KRAKEN_TEST_PORT")
local srv = assert(kraken.socket())
assert(srv:setoption(kraken.SO.REUSEADDR, true))
assert(srv:bind { host = "127.0.0.1", port = port })
assert(srv:listen())
local skt, addr = assert(srv:accept())
print("connection from " .. addr.host .. ":" .. addr.port)
check.eq(skt:rawsend(">"), 1, "prompt")
local line = assert(skt:receive())
check.eq(skt:send("Ok " .. line), #line + 5, "reply")
check.eq(skt:rawsend(check.recv(skt, 256)), 256, "echo of every byte")
check.eq(skt:receive(), "bye", "unterminated last line")
check.fails("closed", "end of stream", skt:receive())
skt:close()
srv:close()
print("ok")
