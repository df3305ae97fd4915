local s = "a"
print(s * 2)
