-- Pure-Lua 5.1 libraries from Debian's packages, used as their documentation shows
local json = require "dkjson"
local doc = json.decode('{"a": [1, 2.5, "x", true, null], "b": {"c": "\\u00e9\\n"}}')
print(doc.a[1], doc.a[2], doc.a[3], doc.a[4], doc.a[5], doc.b.c)
print(json.encode({list = {1, 2, 3}, text = "quote\" and \\", n = 1/3}, {keyorder = {"list", "n", "text"}}))
print(json.encode({1, 2, {x = false}}, {indent = true}))

local inspect = require "inspect"
print(inspect({1, 2, "three", {four = 4, [5] = "five"}, f = false}))
print(inspect(setmetatable({a = 1}, {__index = {}}), {depth = 1}))

local argparse = require "argparse"
local parser = argparse("script", "An example.")
parser:argument("input", "Input file.")
parser:option("-o --output", "Output file.", "a.out")
parser:option("-I --include", "Include locations."):count("*")
parser:flag("-v --verbose", "Verbose.")
local args = parser:parse({"in.lua", "-I", "x", "-I", "y", "-v"})
print(args.input, args.output, table.concat(args.include, ","), args.verbose)
print(parser:get_help())
print(parser:pparse({"--nope"}))

local basexx = require "basexx"
print(basexx.to_base64("Hello, Kraken!\255"), basexx.from_base64("SGVsbG8="), basexx.to_hex("abc"), basexx.to_base32("foobar"))
print(basexx.from_hex("4B52"), basexx.to_crockford("hello"), basexx.to_z85("1234"), basexx.to_bit("A"))

local binaryheap = require "binaryheap"
local heap = binaryheap.minUnique()
for i, v in ipairs({50, 10, 40, 20, 30}) do heap:insert(v, "item" .. i) end
local order = {}
while heap:peek() do local payload, value = heap:pop() order[#order + 1] = payload .. "=" .. value end
print(table.concat(order, " "))

local colors = require "ansicolors"
print((colors("%{red}red%{reset} and %{bright blue}blue"):gsub("\27", "ESC")))

local fifo = require "fifo"
local q = fifo(1, 2)
q:push(3)
print(q:length(), q:pop(), q:peek(), q:length())

local inifile = require "inifile"
local ininame = os.tmpname()
inifile.save(ininame, {server = {port = 8001, host = "localhost"}})
collectgarbage() -- inifile.save leaves its file to the collector to close and flush
local ini = inifile.parse(ininame)
print(ini.server.port, ini.server.host)
os.remove(ininame)

local markdown = require "markdown"
print(markdown("# Title\n\nSome *emphasis* and `code`.\n\n* one\n* two\n"))

local mp = require "MessagePack"
local packed = mp.pack({1, 2, {x = "y"}, 3.5, -7, true})
print(#packed, (packed:gsub(".", function(c) return string.format("%02x", c:byte()) end)))
local back = mp.unpack(packed)
print(back[1], back[2], back[3].x, back[4], back[5], back[6])

local M = require "moses"
print(table.concat(M.map({1, 2, 3}, function(v) return v * 10 end), ","), M.sum({1, 2, 3, 4}), table.concat(M.range(1, 9, 2), ","))
print(table.concat(M.uniq({1, 1, 2, 3, 3}), ","), M.size({a = 1, b = 2}), table.concat(M.reverse({1, 2, 3}), ","))

local Mediator = require "mediator"
local m = Mediator()
m:subscribe({"news"}, function(a, b) print("got", a, b) end)
m:publish({"news"}, "hello", 42)
