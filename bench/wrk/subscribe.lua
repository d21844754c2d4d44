-- POST /v1/subscribe as the widget sends it: a valid consent record for the
-- "whitepaper" form (no double opt-in), each with its own record id and
-- address. subscribe.json is a record with RECORD_ID and EMAIL to fill in;
-- origin.txt the Origin header the widget's page would send.
local common = dofile("bench/wrk/common.lua")
local template = common.read("subscribe.json")
local origin = common.lines("origin.txt")[1]
local headers = { ["Content-Type"] = "application/json", ["Origin"] = origin }
local run = tostring(os.time())
local n = 0
local threads = 0

-- Each wrk thread numbers its own requests; the thread's number keeps ids apart.
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function request()
  n = n + 1
  local id = string.format("bench%s%02d%09d", run, tid or 0, n)
  local body = template:gsub("RECORD_ID", id):gsub("EMAIL", "load." .. id .. "@example.com")
  return wrk.format("POST", "/v1/subscribe", headers, body)
end

done = common.done
