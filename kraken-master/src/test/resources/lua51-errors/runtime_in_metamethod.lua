local t = setmetatable({}, {__index = function(t, k) return k.x end})
print(t.y)
