-- module(), package.seeall, package.loaders, require of 5.1 style modules.
local counter = require("lib_counter")
print(counter.increment(), counter.increment(5), counter.describe())
print(counter._NAME, counter._PACKAGE, counter._M == counter, counter.loaded_as)
print(package.loaded.lib_counter == counter, lib_counter == counter, require("lib_counter") == counter)
print(counter.print == print, rawget(counter, "print"))
local sub = require("lib_pkg.sub")
print(sub.name(), sub.sees_print(), lib_pkg.sub == sub, package.loaded["lib_pkg.sub"] == sub)
local plain = require("lib_plain")
print(plain.twice(21), plain.version, twice)
print(package.loaders == package.searchers or package.searchers == nil, type(package.loaders))
print(#package.loaders >= 2, type(package.loaders[1]))
-- A loader added to package.loaders is used by require.
table.insert(package.loaders, 2, function(name)
  if name:match("^virtual%.") then
    return function(modname) return {name = modname, answer = 42} end
  end
  return "\n\tno virtual module '" .. name .. "'"
end)
local v = require("virtual.thing")
print(v.name, v.answer, package.loaded["virtual.thing"] == v)
package.preload["preloaded"] = function(name) module(name) value = "from preload" end
print(require("preloaded").value, preloaded.value)
-- module() reuses an existing table and its _NAME.
local existing = {keep = true}
package.loaded["reused"] = existing
module("reused")
keep2 = "added"
local _G = getfenv(0)
_G.print(_G.reused == nil, existing.keep, existing.keep2, existing._NAME)
-- a name conflict
_G.conflict = 5
_G.print(_G.pcall(_G.loadstring("module('conflict')")))
_G.print(_G.select(2, _G.pcall(_G.require, "no_such_module_xyz")) ~= nil)
