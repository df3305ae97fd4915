-- 5.1's require: loaders get the module name only, every '?' of a template is replaced,
-- package.cpath exists, the "not found" message lists every file tried, loops are reported.
print(type(package.cpath))
local old = package.path
package.path = "./?_?.lua;" .. old
local q = require("lib_q")
print(q.args, q.name, q.second)
package.path = old
local l = require("lib_selfloop")
print(l.ok, l.err)
local m = require("lib_modnoreturn")
print(m == lib_modnoreturn, m._NAME, m.value, package.loaded.lib_modnoreturn == m)
package.path = "./?.lua;./sub/?.lua"
package.cpath = "./?.so;./lib/?.so"
print(pcall(require, "no_such_module"))
print(pcall(require, "no.such.module"))
package.preload.pre = function(...) return {n = select("#", ...), name = ...} end
local pre = require("pre")
print(pre.n, pre.name)
package.preload.nothing = function() end
print(require("nothing"), package.loaded.nothing)
print(require(12 == 12 and "nothing"))
package.path = 42
print(pcall(require, "yet_another"))
package.path = nil
print(pcall(require, "yet_another2"))
-- No C library can be loaded; loadlib answers as lua5.1 without dlopen (LuaJ's overflowed the stack).
local f, err, when = package.loadlib("./no_such_lib.so", "luaopen_x")
print(f, type(err), when == "open" or when == "absent")
