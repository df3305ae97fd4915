local co = coroutine.create(function() local z = nil; return z.q end)
print(coroutine.resume(co))
local t = nil
return t[1]
