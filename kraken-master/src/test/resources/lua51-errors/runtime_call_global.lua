local x = 1
undefinedfunction(x)
