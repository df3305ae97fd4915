local function (a) end
