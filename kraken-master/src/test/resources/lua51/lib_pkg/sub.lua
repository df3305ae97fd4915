-- A dotted module name without package.seeall: only what it saves as locals is reachable.
local tostring = tostring
module("lib_pkg.sub")

function name()
  return tostring(_NAME) .. " in package " .. tostring(_PACKAGE)
end

function sees_print()
  return print ~= nil
end
