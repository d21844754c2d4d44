-- POST /v1/check with the body in $DOI_CHECK_BODY (check-100.json or
-- check-max.json): read-only, the same addresses every time.
local common = dofile("bench/wrk/common.lua")
local body = common.read(os.getenv("DOI_CHECK_BODY"))
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. common.lines("api-token.txt")[1],
}

function request()
  return wrk.format("POST", "/v1/check", headers, body)
end

done = common.done
