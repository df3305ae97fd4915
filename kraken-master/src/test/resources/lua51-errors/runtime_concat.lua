local t = {}
print("a" .. t)
