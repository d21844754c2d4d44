-- Shared by the wrk scripts of `cargo xtask bench`: the data files that
-- bench/worker-data.mjs wrote (in $DOI_BENCH_DATA), and one machine-readable
-- result line that xtask reads (latencies in milliseconds).
local common = {}

local data = os.getenv("DOI_BENCH_DATA") or "bench/out/load"

-- Every line of a data file.
function common.lines(name)
  local lines = {}
  for line in io.lines(data .. "/" .. name) do
    if line ~= "" then lines[#lines + 1] = line end
  end
  return lines
end

-- The whole of a data file.
function common.read(name)
  local file = assert(io.open(data .. "/" .. name, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

function common.done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "@wrk requests=%d seconds=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
      .. "non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end

return common
