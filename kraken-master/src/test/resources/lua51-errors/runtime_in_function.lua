local function f(a)
  return a.b
end
f(nil)
