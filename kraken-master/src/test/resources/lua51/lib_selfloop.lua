-- Requires itself while loading: 5.1 reports a loop.
local ok, err = pcall(require, "lib_selfloop")
return {ok = ok, err = err}
