local s = {}
s:nomethod()
