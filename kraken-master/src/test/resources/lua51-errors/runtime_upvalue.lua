local u
local function f() return u.x end
f()
