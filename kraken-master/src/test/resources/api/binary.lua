-- Every byte value 0..255 through every method, in both directions.
local check = require "check"

local bytes = {}
for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
local all = table.concat(bytes)
check.eq(#all, 256, "all bytes")

local srv, client, conn = check.pair()
for _, pair in ipairs { { client, conn }, { conn, client } } do
  local from, to = pair[1], pair[2]
  -- rawsend of the string, rawrecv
  check.eq(from:rawsend(all), 256, "rawsend")
  check.eq(check.recv(to, 256), all, "rawsend/rawrecv")
  -- rawsend of each byte as a number
  for i = 0, 255 do check.eq(from:rawsend(i), 1, "rawsend(" .. i .. ")") end
  check.eq(check.recv(to, 256), all, "rawsend(n)/rawrecv")
  -- send and receive: every byte but "\n" stays in the line, "\r" included
  local line = (all:gsub("\n", ""))
  check.eq(from:send(line), 257, "send")
  check.eq(to:receive(), line, "send/receive")
  -- send, then rawrecv sees the terminator
  check.eq(from:send(all), 258, "send of every byte")
  check.eq(check.recv(to, 258), all .. "\r\n", "send/rawrecv")
  -- rawsend, then receive splits at the "\n" (byte 10)
  from:rawsend(all .. "\n")
  check.eq(to:receive(), all:sub(1, 10), "receive up to byte 10")
  check.eq(to:receive(), all:sub(12), "receive after byte 10")
end
client:close()
conn:close()
srv:close()
print("ok")
