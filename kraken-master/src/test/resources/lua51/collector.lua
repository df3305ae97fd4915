-- collectgarbage and __gc as a 5.1 program observes them
local n = 0
local function make() local u = newproxy(true); getmetatable(u).__gc = function(o) n = n + 1 end end
make() make() make()
collectgarbage()
print("__gc ran for each proxy:", n)

collectgarbage()
collectgarbage("stop")
local before = collectgarbage("count")
local t = {}
for i = 1, 2000 do t[i] = {i} end
local grown = collectgarbage("count")
print("count grows with allocation:", grown > before)
collectgarbage("restart")
t = nil
collectgarbage()
print("count falls after a collection:", collectgarbage("count") < grown)
local kb = gcinfo()
print("gcinfo is whole KB:", math.floor(kb) == kb)

local function steps(size)
  collectgarbage()
  collectgarbage("stop")
  local keep = {}
  for i = 1, 100 do keep[i] = {{}} end
  local i = 0
  repeat i = i + 1 until collectgarbage("step", size)
  collectgarbage("restart")
  return i
end
print("small steps take several calls:", steps(0) > 10)
print("bigger steps take fewer:", steps(6) < steps(2))
print("a huge step ends the cycle:", steps(10000) == 1, collectgarbage("step", 1000000))
print("setpause returns the old value:", collectgarbage("setpause", 150), collectgarbage("setpause", 200))

-- the collector runs by itself while the program allocates
local last, fell = gcinfo(), false
for i = 1, 200000 do
  local now = gcinfo()
  if now < last then fell = true break end
  last = now
  local garbage = {}
end
print("count falls without collectgarbage:", fell)

-- an error in __gc reaches the collectgarbage that ran it
local function bad() local u = newproxy(true); getmetatable(u).__gc = function() error("in __gc") end end
bad()
print("error in __gc:", pcall(collectgarbage))
