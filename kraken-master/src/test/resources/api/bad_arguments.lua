-- Every kraken function and socket method given arguments of the wrong type raises Lua 5.1's
-- "bad argument #n to 'name' (...)"; a method called on something that is no socket raises
-- "calling 'name' on bad self (...)".
local check = require "check"

local function bad(message, f, ...)
  check.raises(message, f, ...)
end

bad("bad argument #1 to 'registerApplication' (coroutine expected, got no value)", kraken.registerApplication)
bad("bad argument #1 to 'registerApplication' (coroutine expected, got number)", kraken.registerApplication, 1)
bad("bad argument #1 to 'registerApplication' (coroutine expected, got function)", kraken.registerApplication, print)
bad("bad argument #1 to 'registerAddress' (table expected, got no value)", kraken.registerAddress)
bad("bad argument #1 to 'registerAddress' (table expected, got string)", kraken.registerAddress, "*:80")
bad("bad argument #1 to 'registerUser' (uid or user name expected, got no value)", kraken.registerUser)
bad("bad argument #1 to 'registerUser' (uid or user name expected, got table)", kraken.registerUser, {})
bad("bad argument #1 to 'registerUser' (uid or user name expected, got boolean)", kraken.registerUser, true)
bad("bad argument #1 to 'socket' (number expected, got string)", kraken.socket, "inet")
bad("bad argument #2 to 'socket' (number expected, got table)", kraken.socket, kraken.AF.INET, {})
bad("bad argument #3 to 'socket' (number expected, got boolean)", kraken.socket, kraken.AF.INET, kraken.SOCK.STREAM, true)
-- kraken.loop takes no arguments: there is no wrong type to give it.

local s = assert(kraken.socket())
local methods = { "accept", "bind", "close", "connect", "getoption", "setoption", "getip", "getport",
  "gettimeout", "settimeout", "listen", "rawrecv", "rawsend", "receive", "send" }
for _, name in ipairs(methods) do
  check.eq(type(s[name]), "function", name)
  bad("calling '" .. name .. "' on bad self (socket expected, got number)", s[name], 1)
  bad("calling '" .. name .. "' on bad self (socket expected, got table)", s[name], {})
  bad("calling '" .. name .. "' on bad self (socket expected, got no value)", s[name])
end

local unpack = unpack or table.unpack -- until Lua51Lib provides the global

local function method(name, ...)
  local args = { n = select("#", ...), ... }
  return function () return s[name](s, unpack(args, 1, args.n)) end
end

bad("bad argument #1 to 'bind' (table expected, got no value)", method("bind"))
bad("bad argument #1 to 'bind' (table expected, got string)", method("bind", "127.0.0.1"))
bad("bad argument #1 to 'connect' (string expected, got table)", method("connect", {}, 80))
bad("bad argument #2 to 'connect' (number expected, got no value)", method("connect", "127.0.0.1"))
bad("bad argument #2 to 'connect' (number expected, got table)", method("connect", "127.0.0.1", {}))
bad("bad argument #1 to 'getoption' (number expected, got no value)", method("getoption"))
bad("bad argument #1 to 'getoption' (number expected, got string)", method("getoption", "REUSEADDR"))
bad("bad argument #1 to 'setoption' (number expected, got string)", method("setoption", "REUSEADDR", true))
bad("bad argument #2 to 'setoption' (boolean expected, got no value)", method("setoption", kraken.SO.REUSEADDR))
bad("bad argument #2 to 'setoption' (boolean expected, got string)", method("setoption", kraken.SO.REUSEADDR, "yes"))
bad("bad argument #1 to 'settimeout' (number expected, got no value)", method("settimeout"))
bad("bad argument #1 to 'settimeout' (number expected, got table)", method("settimeout", {}))
bad("bad argument #1 to 'listen' (number expected, got string)", method("listen", "many"))
bad("bad argument #1 to 'rawrecv' (number expected, got no value)", method("rawrecv"))
bad("bad argument #1 to 'rawrecv' (number expected, got string)", method("rawrecv", "all"))
bad("bad argument #1 to 'rawrecv' (positive integer expected, got 0)", method("rawrecv", 0))
bad("bad argument #1 to 'rawrecv' (positive integer expected, got 1.5)", method("rawrecv", 1.5))
bad("bad argument #1 to 'rawsend' (string expected, got no value)", method("rawsend"))
bad("bad argument #1 to 'rawsend' (string expected, got table)", method("rawsend", {}))
bad("bad argument #1 to 'rawsend' (string expected, got boolean)", method("rawsend", true))
bad("bad argument #1 to 'rawsend' (string or integer 0..255 expected, got 256)", method("rawsend", 256))
bad("bad argument #1 to 'rawsend' (string or integer 0..255 expected, got -1)", method("rawsend", -1))
bad("bad argument #1 to 'rawsend' (string or integer 0..255 expected, got 1.5)", method("rawsend", 1.5))
bad("bad argument #1 to 'send' (string expected, got no value)", method("send"))
bad("bad argument #1 to 'send' (string expected, got table)", method("send", {}))
bad("bad argument #1 to 'send' (string expected, got nil)", method("send", nil))

-- Arguments are checked before anything else, even on a closed socket.
s:close()
bad("bad argument #1 to 'rawsend' (string or integer 0..255 expected, got 256)", method("rawsend", 256))
check.fails("closed", "a good call on a closed socket", s:rawsend(255))
print("ok")
