-- kraken.registerApplication, registerAddress, registerUser and loop.
local check = require "check"

local app = coroutine.create(function (skt, addr) end)
check.eq(kraken.registerApplication(app), true, "a fresh coroutine")
check.eq(kraken.registerApplication(coroutine.create(print)), true, "the last registration wins")
local started = coroutine.create(function () coroutine.yield() end)
coroutine.resume(started)
local ok, msg = kraken.registerApplication(started)
check.eq(ok, nil, "a started coroutine")
check.eq(type(msg), "string", "its message")
coroutine.resume(started) -- let it finish
ok, msg = kraken.registerApplication(started)
check.eq(ok, nil, "a dead coroutine")

check.eq(kraken.registerAddress { host = "*", port = 8001 }, true, "*:8001")
check.eq(kraken.registerAddress { host = "127.0.0.1", port = 1 }, true, "port 1")
check.eq(kraken.registerAddress { host = "::", port = 65535 }, true, "port 65535")
for _, bad in ipairs {
  { host = "*", port = 0 }, { host = "*", port = 65536 }, { host = "*", port = 80.5 },
  { host = "*" }, { port = 80 }, { host = 1, port = 80 }, { host = "", port = 80 },
} do
  local r, m = kraken.registerAddress(bad)
  check.eq(r, nil, "bad address")
  check.eq(type(m), "string", "its message")
end

-- Users: the test runs kraken as KRAKEN_TEST_USER, uid KRAKEN_TEST_UID.
local me, uid = os.getenv("KRAKEN_TEST_USER"), tonumber(os.getenv("KRAKEN_TEST_UID"))
if uid == 0 then
  check.eq(kraken.registerUser("nobody"), true, "root may name nobody")
  local r, m = kraken.registerUser("root")
  check.eq(r, nil, "root is refused")
  assert(m:find("allow_root", 1, true), m)
  check.eq(kraken.registerUser(0), nil, "uid 0 is refused")
else
  check.eq(kraken.registerUser(me), true, "a user may name itself")
  check.eq(kraken.registerUser(uid), true, "by uid")
  check.eq(kraken.registerUser("root"), nil, "but no other user")
end
local r, m = kraken.registerUser("no-such-user-here")
check.eq(r, nil, "an unknown user")
check.eq(m, "no such user: no-such-user-here", "its message")

-- loop() returns nil and a message when it cannot start: 192.0.2.1 (TEST-NET-1) is no
-- address of this machine, so its bind fails and nothing is served.
assert(kraken.registerAddress { host = "192.0.2.1", port = 8001 })
local looped, why = kraken.loop()
check.eq(looped, nil, "a bind that fails")
check.eq(why, "bind 192.0.2.1:8001: Cannot assign requested address", "its message")
print("ok")
