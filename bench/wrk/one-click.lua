-- POST /u/{token} with `List-Unsubscribe=One-Click` (RFC 8058), as a mail
-- client sends it: each request unsubscribes the next subscriber, so every
-- request writes (wrapping around only if the run outlasts the tokens).
-- xtask runs wrk with one thread: two threads would walk the same tokens.
local common = dofile("bench/wrk/common.lua")
local tokens = common.lines("tokens.txt")
-- Each round of the comparison starts further along (DOI_TOKEN_OFFSET), so
-- no round unsubscribes someone an earlier round already did.
local next = tonumber(os.getenv("DOI_TOKEN_OFFSET") or "0") % #tokens
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function request()
  next = next % #tokens + 1
  return wrk.format("POST", "/u/" .. tokens[next], headers, "List-Unsubscribe=One-Click")
end

done = common.done
