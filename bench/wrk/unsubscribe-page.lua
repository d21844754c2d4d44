-- GET /u/{token}: the unsubscribe page, a different subscriber each time.
-- xtask runs wrk with one thread: two threads would walk the same tokens.
local common = dofile("bench/wrk/common.lua")
local tokens = common.lines("tokens.txt")
local next = 0

function request()
  next = next % #tokens + 1
  return wrk.format("GET", "/u/" .. tokens[next])
end

done = common.done
