-- GET /healthz: no KV, no domain work; what answering at all costs (the
-- runtime, the edge's request and response conversion, routing).
local common = dofile("bench/wrk/common.lua")

function request()
  return wrk.format("GET", "/healthz")
end

done = common.done
