package.config = package.config or "/\n;\n?\n!\n-\n" -- LuaJ lacks it; penlight reads it
local json = require "dkjson"
local argparse = require "argparse"
local inspect = require "inspect"
local pretty = require "pl.pretty"
local stringx = require "pl.stringx"
local List = require "pl.List"
local tablex = require "pl.tablex"
local OrderedMap = require "pl.OrderedMap"
local class = require "pl.class"
local template = require "pl.template"
local data = require "pl.data"
local seq = require "pl.seq"
local types = require "pl.types"
local app = coroutine.create(function (skt)
  skt:send(json.encode({ok = true, n = #List{1, 2, 3}}) .. inspect({1}))
end)
assert(kraken.registerApplication(app))
assert(kraken.registerAddress { host = "127.0.0.1", port = 18933 })
assert(kraken.loop())
