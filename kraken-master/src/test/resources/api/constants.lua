-- kraken.AF, SOCK and SO hold the platform's numbers (KRAKEN_TEST_EXPECT, "AF.INET=2 ...").
local check = require "check"

local expected = 0
for table_name, name, value in os.getenv("KRAKEN_TEST_EXPECT"):gmatch("(%u+)%.([%w_]+)=(%d+)") do
  check.eq(kraken[table_name][name], tonumber(value), table_name .. "." .. name)
  expected = expected + 1
end
assert(expected > 40, "the test passed the expected constants")

for _, name in ipairs { "AF.UNSPEC", "AF.UNIX", "AF.INET", "AF.INET6", "SOCK.STREAM", "SOCK.DGRAM", "SOCK.RAW",
  "SOCK.SEQPACKET", "SO.DEBUG", "SO.REUSEADDR", "SO.REUSEPORT", "SO.TYPE", "SO.ERROR", "SO.DONTROUTE",
  "SO.BROADCAST", "SO.SNDBUF", "SO.RCVBUF", "SO.KEEPALIVE", "SO.OOBINLINE", "SO.LINGER", "SO.RCVLOWAT",
  "SO.SNDLOWAT", "SO.RCVTIMEO", "SO.SNDTIMEO", "SO.ACCEPTCONN" } do
  local t, n = name:match("(%u+)%.(.*)")
  check.eq(type(kraken[t][n]), "number", name)
end

-- pairs lists them, with no prefixes.
local listed = 0
for k, v in pairs(kraken.SO) do
  check.eq(type(v), "number", "SO." .. k)
  assert(not k:find("^SO_"), k)
  listed = listed + 1
end
assert(listed >= 17, "pairs lists SO")
print("ok")
