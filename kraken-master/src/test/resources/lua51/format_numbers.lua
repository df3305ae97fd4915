-- string.format of every conversion, with flags, width and precision
local values = {0, 1, -1, 42, -42, 3.5, -3.5, 255, 65535, 1e10, 2^31, 2^53, 123.456}
for _, v in ipairs(values) do
  print(string.format("%d|%5d|%-5d|%05d|%+d|% d|%i|%.3d", v, v, v, v, v, v, v, v))
end
for _, v in ipairs({0, 1, 8, 255, 4096, 2^32 - 1}) do
  print(string.format("%o|%#o|%x|%#x|%X|%#X|%8x|%-8X|%08x|%u|%c", v, v, v, v, v, v, v, v, v, v, v % 256))
end
for _, v in ipairs({0, 1, -1, 0.1, 1/3, -2/3, 1e-5, 123456789, 1e15, 1e16, 1e100, -1e-100, 2^63, 0.5, 2.5, 1/0, -1/0}) do
  print(string.format("%e|%.0e|%#.0e|%12.4E|%f|%.0f|%#.0f|%10.3f|%-10.2f|%+.1f|%g|%.3g|%#g|%G|%10.4g|%.14g", v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v))
end
print(string.format("%s|%10s|%-10s|%.2s|%5.1s|%s|%s", "text", "right", "left", "cut", "xy", 12, 1.5))
print(string.format("%q", "a\nb\"c\\d\0e\r\t" .. string.char(200)))
print(string.format("%%|%c%c%c", 76, 117, 97), pcall(function() local r = string.format("%5%") return r end))
print(pcall(function() local r = string.format("%d", "x") return r end))
print(pcall(function() local r = string.format("%y", 1) return r end))
print(pcall(function() local r = string.format("%10.100f", 1) return r end))
print(string.format("%d %s", "10", 5))
-- tostring and tonumber of numbers
for _, v in ipairs({0, -0.0, 1, -1, 0.1, 1/3, 100, 1e14, 1e15, 1e16, 2^53, 2^63, -2^63, 1e100, 1e-7, 123.456e-300, 1/0, -1/0, 3.14159265358979}) do
  io.write(tostring(v), " ", tonumber(tostring(v)) == v and "same" or "differs", "\n")
end
for _, s in ipairs({"10", " 10 ", "0x10", "0X1f", "1e2", "1e", ".5", "5.", "-.5e-3", "0x", "", " ", "1 2", "inf", "nan", "10a", "\t12\n", "1e500", "0x7fffffff"}) do
  io.write(string.format("%q", s), " -> ", tostring(tonumber(s)), "\n")
end
print(tonumber("ff", 16), tonumber("777", 8), tonumber("zz", 36), tonumber("102", 2), tonumber(" 11 ", 2), tonumber("-ff", 16), tonumber("8", 8))
print(pcall(function() local r = tonumber("1", 1) return r end))
print(pcall(function() local r = tonumber("1", 37) return r end))
print(tonumber(nil), tonumber(true), tonumber({}), tonumber(12), tonumber(-0.5))
print(1e15, 2^53, 0.1 + 0.2, 100 / 3, -1e-300 * 1e-300, 7 % 3, -7 % 3, 7 % -3, 5.5 % 2)
print(math.huge, -math.huge, math.pi, math.floor(-3.5), math.ceil(-3.5), math.max(1, 5, 3), math.min(2, -1))
print(string.rep("ab", 3, nil), ("x"):rep(0), #tostring(12345))
