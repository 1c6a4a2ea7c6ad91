-- wrk script of bench/national_scale.py: cycles through the paths listed in $PATHS_FILE (one per
-- line), sends $AUTHORIZATION and $ACCEPT_ENCODING when set, counts any answer other than 200/204 as an error (and stops
-- the thread, so a broken run cannot pass for a fast one), and prints requests/s, p50 and p95.
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local headers = {}
if os.getenv("AUTHORIZATION") and os.getenv("AUTHORIZATION") ~= "" then
  headers["Authorization"] = os.getenv("AUTHORIZATION")
end
if os.getenv("ACCEPT_ENCODING") and os.getenv("ACCEPT_ENCODING") ~= "" then
  headers["Accept-Encoding"] = os.getenv("ACCEPT_ENCODING")
end
local counter = 0
local bad = 0

function init(args)
  counter = math.random(0, #paths - 1)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

function response(status, hdrs, body)
  if status ~= 200 and status ~= 204 then
    bad = bad + 1
    io.stderr:write("bad response " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n")
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d errors=%d seconds=%.3f rps=%.2f p50_ms=%.2f p95_ms=%.2f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
