-- 5.1's LUA_COMPAT_VARARG: a vararg function that never uses ... gets a local arg = {...; n = #args}.
arg = "global arg"

local function show(t)
  if type(t) ~= "table" then return tostring(t) end
  local parts = {}
  for i = 1, t.n do parts[#parts + 1] = tostring(t[i]) end
  return "n=" .. t.n .. " [" .. table.concat(parts, ",") .. "]"
end

local function plain(...) return arg end
print(show(plain()))
print(show(plain(1, nil, 3)))
print(show(plain(nil, nil)))
print(show(plain("a", "b", nil, nil, nil)))

-- fixed parameters come first and are not in arg
local function fixed(a, b, ...) return a, b, show(arg) end
print(fixed(1, 2, 3, 4))
print(fixed(1))

-- a function that uses ... has a nil local arg, not the global
local function uses(...) local x = select('#', ...) return arg, x end
print(uses(1, 2))
local function usesInTable(...) return arg, #{...} end
print(usesInTable(7, 8, 9))

-- a nested function's ... does not take away its parent's arg
local function outer(...)
  local inner = function(...) return select('#', ...), arg end
  return show(arg), inner(1, 2, 3)
end
print(outer("x", "y"))

-- a method's arg follows self
local obj = {}
function obj:m(...) return self == obj, show(arg) end
print(obj:m(10, 20))

-- arg is an ordinary local: assignable, captured by closures, fresh each call
local function counter(...)
  return function() arg.n = arg.n + 1 return arg.n end
end
local c1, c2 = counter(1), counter(1, 2)
print(c1(), c1(), c2())
local function assign(...) arg = 5 return arg end
print(assign(1), arg)

-- a non-vararg function sees the global
local function noVararg(a) return arg end
print(noVararg(1))

-- the main chunk has no arg local: this is the global
print(arg)
print(select('#', plain(1, 2)))

-- string.dump keeps arg: the undumped function builds it too, and one that uses ... still has none
local reloaded = loadstring(string.dump(function(a, ...) return a, arg end))
local first, t = reloaded("p", "q", nil)
print(first, show(t))
print(loadstring(string.dump(function(...) return arg, ... end))(4, 5))
local nested = loadstring(string.dump(function() return function(...) return arg.n end end))
print(nested()(1, 2, 3, nil))
local name = os.tmpname()
local file = io.open(name, "wb")
file:write(string.dump(function(...) return "from a file", arg.n end))
file:close()
print(dofile(name))
os.remove(name)

-- arg is built before the first instruction: a line hook and activelines see the body's lines only
local function hooked(...)
  local x = 1
  return x
end
local lines = {}
debug.sethook(function(event, line) lines[#lines + 1] = line end, "l")
hooked(1, 2)
debug.sethook()
print(table.concat(lines, " "))
local active = {}
for line in pairs(debug.getinfo(hooked, "L").activelines) do active[#active + 1] = line end
table.sort(active)
print(table.concat(active, " "))
print((debug.getlocal(1, 1)))
