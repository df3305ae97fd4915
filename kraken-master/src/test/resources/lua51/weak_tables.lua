-- Weak tables as 5.1 collects them. The first loop is the official suite's closure.lua wait for
-- a collection: it never ended under kraken while LuaJ kept a table's older entries strong.
local x = {[1] = {}}
setmetatable(x, {__mode = 'kv'})
local A = 0
while x[1] do
  local a = A .. A .. A .. A  -- garbage, until the collector runs by itself
  A = A + 1
end
print("collected without collectgarbage:", x[1])
print("mode kept:", getmetatable(x).__mode)

-- entries stored before and after the table became weak go alike
local keep = {}
local k = setmetatable({[{}] = 1, [keep] = 2}, {__mode = 'k'})
k[{}] = 3
collectgarbage()
local n = 0
for key, v in pairs(k) do n = n + 1 ; assert(key == keep and v == 2) end
print("weak keys left:", n)

local v = setmetatable({{}, keep, "text", 10}, {__mode = 'v'})
v.t = {}
collectgarbage()
print("weak values:", v[1], v[2] == keep, v[3], v[4], v.t)

-- closures over a collected loop's locals still see their own upvalues
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
collectgarbage()
print("closures:", fs[1](), fs[2](), fs[3]())

-- a cache keyed weakly by its objects empties once they are gone
-- (filled by a function: a register of the running function may still hold its last object)
local cache = setmetatable({}, {__mode = 'k'})
local function fill() for i = 1, 100 do cache[{}] = i end end
fill()
collectgarbage()
print("cache after collect:", next(cache))
