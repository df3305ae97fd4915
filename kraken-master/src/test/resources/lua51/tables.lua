-- The table library, including 5.1's getn, maxn, foreach, foreachi.
local t = {10, 20, 30}
print(table.getn(t), #t, table.maxn(t), table.maxn({}), table.maxn({[1.5] = true, [7] = 1, x = 2}))
table.insert(t, 40)
table.insert(t, 1, 5)
print(table.concat(t, ","), table.remove(t), table.remove(t, 1), table.concat(t, ","))
print(table.concat({1, 2, 3}), table.concat({"a", "b", "c"}, ", ", 2, 3), table.concat({}, "x"))
local order = {}
table.foreach({a = 1, b = 2, c = 3}, function(k, v) order[#order + 1] = k .. "=" .. v end)
table.sort(order)
print(table.concat(order, " "))
print(table.foreach({x = 1}, function(k, v) return "stopped at " .. k end))
table.foreachi({"p", "q", "r"}, function(i, v) io.write(i, ":", v, " ") end)
print()
print(table.foreachi({"p", "q", "r"}, function(i, v) if v == "q" then return i end end))
local words = {"pear", "apple", "fig", "banana"}
table.sort(words)
print(table.concat(words, " "))
table.sort(words, function(a, b) return #a < #b end)
print(words[1], words[4])
local nums = {5, 2, 8, 1, 9, 3}
table.sort(nums, function(a, b) return a > b end)
print(table.concat(nums, " "))
local keys = {}
for k in pairs({one = 1, two = 2, three = 3}) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, ","))
for i, v in ipairs({"a", "b", nil, "d"}) do io.write(i, v, " ") end
print()
local n = 0
for k, v in next, {1, 2, 3} do n = n + v end
print(n, next({}), type(next), rawequal(next, next))
local mixed = {1, 2, x = "y", [10] = 10}
print(table.getn(mixed), table.maxn(mixed))
local holes = {}
holes[1] = 1 holes[2] = 2 holes[3] = 3
print(table.getn(holes), select("#", unpack(holes)))
print(pcall(function() table.getn(nil) end))
print(pcall(function() table.foreach({}, nil) end))
print(table.concat({1, 2.5, "x"}, "-"))
print(table.concat({1/3, 2^53, 1e100}, " "))
print(pcall(function() local s = table.concat({1, {}, 3}) end))
