module(..., package.seeall)
value = 7
