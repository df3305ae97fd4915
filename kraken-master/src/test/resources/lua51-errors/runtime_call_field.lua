local t = {}
t.f()
