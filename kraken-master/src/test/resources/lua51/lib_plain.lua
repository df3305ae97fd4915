-- The 5.1 module pattern without module(): setfenv(1, M).
local M = {}
local _G = _G
setfenv(1, M)
function twice(x) return x * 2 end
version = "1.0"
return M
