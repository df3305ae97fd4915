-- package.config: what libraries read at their first line to find the directory separator
print(string.format("%q", package.config))
local dirsep, pathsep, mark = package.config:match("^(.-)\n(.-)\n(.-)\n")
print(dirsep, pathsep, mark)
print(type(package.path), type(package.cpath), type(package.loaded), type(package.preload), #package.loaders)
print(package.loaded.string == string, package.loaded._G == _G, package.loaded.io == io, package.loaded.os == os)
