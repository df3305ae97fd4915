-- setfenv/getfenv with functions and stack levels, 5.1 semantics.
x = "global"
local function f() return x end
local function g() return x end
print(f(), g())
setfenv(f, {x = "fenv"})
print(f(), g(), x)
print(getfenv(f).x, getfenv(g) == _G, getfenv() == _G, getfenv(0) == _G, getfenv(1) == _G)
print(getfenv(print) == _G, type(setfenv(g, _G)))
local function outer() setfenv(1, {x = "level one", print = print}) return x end
print(outer(), x)
local function setCallerEnv() setfenv(2, {x = "level two"}) end
local function caller() setCallerEnv() return x end
print(caller(), x)
-- A function's env is shared by closures it creates afterwards, not by those created before.
local function maker()
  local before = function() return x end
  setfenv(1, {x = "maker env"})
  local after = function() return x end
  return before, after
end
local before, after = maker()
print(before(), after())
-- Setting one closure's env leaves its siblings alone.
local function factory() return function() return x end end
local c1, c2 = factory(), factory()
setfenv(c1, {x = "c1 only"})
print(c1(), c2())
-- getfenv by level from nested calls
local function envName() return getfenv(2).name end
local function withEnv()
  setfenv(1, setmetatable({name = "withEnv"}, {__index = _G}))
  local name = envName()
  return name
end
print(withEnv())
print(pcall(function() setfenv(50, {}) end))
print(pcall(function() getfenv(-1) end))
print(pcall(function() setfenv(print, {}) end))
print(pcall(function() setfenv(f) end))
print(pcall(function() setfenv(1, 5) end))
local env = {y = 5}
local chunk = loadstring("y = (y or 0) + 1; return y")
setfenv(chunk, env)
print(chunk(), chunk(), env.y, y)
-- sandboxing a loaded chunk
local sandboxed = loadstring("return print == nil, tostring")
setfenv(sandboxed, {tostring = "mine"})
print(sandboxed())
-- setfenv(0, t) changes the global environment used by loadstring
local saved = getfenv(0)
local newGlobals = setmetatable({marker = "new globals"}, {__index = saved})
setfenv(0, newGlobals)
print(loadstring("return marker")())
setfenv(0, saved)
print(loadstring("return marker")())
-- setfenv on a function using no globals, then getfenv returns what was set
local function pure(a) return a * 2 end
local penv = {}
setfenv(pure, penv)
print(getfenv(pure) == penv, pure(21))
-- the main chunk's env
setfenv(1, setmetatable({}, {__index = _G}))
newglobal = "set in new env"
print(newglobal, rawget(_G, "newglobal"), getfenv(1) ~= _G)
