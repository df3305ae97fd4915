-- A Lua 5.1 style module: module(...) with package.seeall.
local print = print
module(..., package.seeall)

local count = 0

function increment(n)
  count = count + (n or 1)
  return count
end

function describe()
  return string.format("%s has count %d", _NAME, count)
end

loaded_as = ...
