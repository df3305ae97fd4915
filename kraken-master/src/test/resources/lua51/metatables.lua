-- Metatables and metamethods.
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
V.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, k) return vec(a.x * k, a.y * k) end
V.__unm = function(a) return vec(-a.x, -a.y) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__tostring = function(a) return "(" .. a.x .. "," .. a.y .. ")" end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
V.__call = function(self, k) return self.x * k end
function V:len() return math.sqrt(self.x * self.x + self.y * self.y) end
local a, b = vec(1, 2), vec(3, 4)
print(tostring(a + b), tostring(a - b), tostring(a * 3), tostring(-a))
print(a == vec(1, 2), a ~= b, a < b, a <= b, a > b, b:len())
print(a .. b, a(10), getmetatable(a) == V)
print(a)
local log = {}
local proxy = setmetatable({}, {
  __index = function(t, k) log[#log + 1] = "get " .. k return k .. "!" end,
  __newindex = function(t, k, v) log[#log + 1] = "set " .. k rawset(t, k, v) end,
})
print(proxy.foo, proxy.bar)
proxy.baz = 1
proxy.baz = 2
print(proxy.baz, rawget(proxy, "foo"), table.concat(log, ", "))
local defaults = setmetatable({}, {__index = {color = "red", size = 1}})
defaults.size = 5
print(defaults.color, defaults.size)
local locked = setmetatable({}, {__metatable = "locked"})
print(getmetatable(locked), pcall(setmetatable, locked, {}))
print(getmetatable("abc").__index == string, ("abc"):upper())
local weak = setmetatable({}, {__mode = "k"})
print(getmetatable(weak).__mode)
local mt = {__index = function(t, k) return k * 2 end}
local doubler = setmetatable({}, mt)
print(doubler[21], doubler[1.5])
print(rawequal(a, vec(1, 2)), rawequal(a, a))
local Base = {}
Base.__index = Base
function Base.new(name) return setmetatable({name = name}, Base) end
function Base:hello() return "base " .. self.name end
local Derived = setmetatable({}, {__index = Base})
Derived.__index = Derived
function Derived.new(name) return setmetatable(Base.new(name), Derived) end
function Derived:hello() return "derived " .. Base.hello(self) end
print(Derived.new("x"):hello(), Base.new("y"):hello())
