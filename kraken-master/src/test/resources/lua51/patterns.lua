-- 5.1's pattern matching: frontiers, anchors, classes in the C locale, captures, gsub's replacements
print(string.gsub("THE (quick) fox", "%f[%a]%a+", "W"))
print(string.gsub("aaa aa a aaa a", "%f[%w]a", "x"))
print(string.find("abc", "%f[%a]"), string.find("abc", "%f[%z]"), string.find("", "%f[%a]"))
print(string.gsub("hello world", "%f[%w]%w+%f[%W]", string.upper))
print(string.match("key = value", "^(%w+)%s*=%s*(%w+)$"))
print(string.find("a.b", ".", 1, true), string.find("a+b", "+", 1, true), string.find("abc", "b", -1), string.find("abc", "", 10))
print(string.match("  x", "()x()"), string.match("abc", "a(b)c"), string.match("2024-01-02", "(%d+)-(%d+)-(%d+)"))
print(string.gsub("abc", "", "-"), string.gsub("abc", "b*", "X"), string.gsub("abc", "^a", "Z"), string.gsub("aaa", "a", "b", 2))
print(string.gsub("$name is $age", "%$(%w+)", {name = "Ann", age = 30}))
print(string.gsub("a b c", "%w", function(c) if c == "b" then return false end return c:upper() end))
print(string.gsub("abc", "(b)", "[%1%0%%]"))
print(pcall(function() local r = string.gsub("x", "(x)", "%2") return r end))
for _, p in ipairs({"[a", "(", "%", "a)", "%b", "%f", "(()", "[%"}) do
  print(p, pcall(function() local r = string.find("abc", p) return r end))
end
print(string.gsub("\233t\233 caf\233", "%a+", "w"), string.gsub("\233", "%l", "x"), ("\200"):find("%p"))
print(string.gsub("[]{}|~^_`", "%p", "."), string.gsub("\0a\0", "%z", "0"), string.gsub("a\tb\vc", "%s", "_"))
local words = {}
for w in string.gmatch("one two  three", "%a+") do words[#words + 1] = w end
for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do words[#words + 1] = k .. v end
for e in string.gmatch("abc", "x*") do words[#words + 1] = "<" .. e .. ">" end
print(table.concat(words, " "))
print(string.match("(nested (parens))", "%b()"), string.find("THE END", "%u+$"), string.rep("-", 3))
print(string.find(12345, 34), string.gsub(100, 0, 1), string.match(3.25, "%d+"))
