-- print: tostring of each value, tabs between, bytes unchanged, a string up to its first NUL (fputs)
print()
print(nil, true, false, 0, -1.5, 1/3, 1e15, 2^63)
print("caf\195\169", "\255\254\128", "tab\tin", "nul\0after")
print(setmetatable({}, {__tostring = function() return "obj" end}), (tostring(print):gsub("0x%x+", "ADDR")))
print(string.rep("x", 5000):sub(1, 10), #string.rep("y", 100000))
print(pcall(print, setmetatable({}, {__tostring = function() return {} end})))
local old = tostring
tostring = function(v) return "<" .. old(v) .. ">" end
print(1, "a")
tostring = old
io.write("partial ")
io.write("line", 7, "\n")
io.stdout:write("via stdout ", 8, "\n")
print(io.write("x\n"), io.stdout:write("y\n") == io.stdout)
