-- Coroutines: resume/yield values, status, wrap, errors.
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "end", 99
end)
print(coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, "x", "y"))
print(coroutine.status(co))
print(coroutine.resume(co))
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
print(gen(), gen(), gen())
print(gen(), pcall(gen))
local function range(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local s = 0
for i in range(100) do s = s + i end
print(s)
local bad = coroutine.create(function() error("oops") end)
print(coroutine.resume(bad))
print(coroutine.status(bad))
local bad2 = coroutine.create(function() error({code = 7}) end)
local ok, e = coroutine.resume(bad2)
print(ok, type(e), e.code)
print(coroutine.running())
local inside
local co3 = coroutine.create(function() inside = coroutine.running() return coroutine.status(inside) end)
print(coroutine.resume(co3))
print(inside == co3)
print(select('#', coroutine.resume(coroutine.create(function() return end))))
local function producer()
  return coroutine.create(function()
    for _, v in ipairs({"a", "b", "c"}) do coroutine.yield(v) end
    return nil
  end)
end
local p = producer()
while true do
  local _, v = coroutine.resume(p)
  if v == nil then break end
  io.write(v, " ")
end
print()
local nested = coroutine.wrap(function()
  local inner = coroutine.wrap(function() coroutine.yield("inner1") coroutine.yield("inner2") end)
  coroutine.yield(inner())
  coroutine.yield("outer")
  coroutine.yield(inner())
  inner() -- finishes inner: a suspended coroutine would keep LuaJ's Java thread (and the JVM) alive
end)
print(nested(), nested(), nested())
print(nested(), pcall(nested))
local w = coroutine.wrap(function() error("in wrap") end)
print(pcall(w))
local w2 = coroutine.wrap(function() error({1, 2}) end)
local ok2, e2 = pcall(w2)
print(ok2, type(e2), e2[2])
print(pcall(coroutine.yield))
