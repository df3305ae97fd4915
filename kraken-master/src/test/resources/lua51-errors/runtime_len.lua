local n
print(#n)
