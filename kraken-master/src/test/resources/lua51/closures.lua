-- Closures, upvalues, varargs and select('#').
local function counter()
  local n = 0
  return function() n = n + 1 return n end
end
local c1, c2 = counter(), counter()
print(c1(), c1(), c2(), c1())
local fns = {}
for i = 1, 3 do fns[i] = function() return i end end
print(fns[1](), fns[2](), fns[3]())
local function shared()
  local v = 0
  return function() v = v + 1 return v end, function() return v end
end
local inc, get = shared()
inc() inc()
print(get())
local function va(...)
  return select('#', ...), ...
end
print(va())
print(va(nil))
print(va(nil, nil))
print(va(1, nil, 3, nil))
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"))
local function pack(...) return {n = select('#', ...), ...} end
local p = pack(1, nil, 3)
print(p.n, p[1], p[2], p[3])
local function sum(...)
  local s = 0
  for i = 1, select('#', ...) do s = s + (select(i, ...) or 0) end
  return s
end
print(sum(1, 2, 3, nil, 5))
print(unpack({1, 2, 3}), unpack({1, 2, 3}, 2), unpack({1, 2, 3}, 2, 3), unpack({}, 1, 2))
print(select('#', unpack({1, 2, 3})), unpack({"a", "b"}, nil, nil))
local function tail(n) if n == 0 then return "done" end return tail(n - 1) end
print(tail(10000))
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20))
local t = {}
function t.method(self, x) return self == t, x end
function t:colon(x) return self == t, x end
print(t:method(1), t.colon(t, 2))
local function outer()
  local x = 1
  local function middle()
    local function inner() x = x + 10 return x end
    return inner()
  end
  return middle() + x
end
print(outer())
local a, b, c = (function() return 1, 2, 3 end)()
print(a, b, c, ((function() return 1, 2, 3 end)()))
print(#{1, 2, 3, nil}, #{n = 1}, #"abc")
do
  local x = 5
  local f = loadstring("return ...")
  print(f(x, 6))
end
print(string.format("%s", select('#', (function() end)())))
