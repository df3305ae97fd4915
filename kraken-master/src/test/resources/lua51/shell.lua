-- io.popen and os.execute run their command through /bin/sh -c, with 5.1's return values
print(string.format("%q", io.popen("id -u 2>&1"):read("*a"):gsub("%d+", "N")))
print(string.format("%q", io.popen("echo hi 2>&1; echo done"):read("*a")))
print(string.format("%q", io.popen("echo $((6 * 7)) | tr 4 x"):read("*a")))
local p = io.popen("exit 3")
print(string.format("%q", p:read("*a")), p:read("*a"), p:read("*l"))
print(p:close(), io.type(p))
print(os.execute())
print(os.execute("true"), os.execute("false"), os.execute("exit 3"), os.execute("exit 255"))
print(os.execute("echo to-null > /dev/null; test -d /"))
print(os.execute("nosuchcommand-h15 2>/dev/null"))
-- a command that writes what we send it
local out = os.tmpname()
local w = io.popen("tr a-z A-Z > " .. out, "w")
print(w:write("shout ", 3, "\n"), w:close())
print(io.open(out):read("*a"))
os.remove(out)
print(io.popen("echo x", "rw"))
local lines = {}
for l in io.popen("printf 'one\\ntwo\\n\\nfour'"):lines() do lines[#lines + 1] = "<" .. l .. ">" end
print(table.concat(lines, " "))
-- the command's environment is the script's
print(io.popen("echo $HOME"):read("*l") == os.getenv("HOME"))
