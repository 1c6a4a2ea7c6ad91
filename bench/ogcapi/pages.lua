-- wrk script of bench/ogcapi_tipg.py: cycles through the item pages listed in $PAGES_FILE (one
-- path per line), checks each answer is a 200 GeoJSON, and prints requests/s, p50 and p95.
local paths = {}
for line in io.lines(os.getenv("PAGES_FILE")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local counter = 0

function init(args)
  counter = math.random(0, #paths - 1)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {["Accept"] = "application/geo+json"})
end

function response(status, headers, body)
  local ctype = ""
  for name, value in pairs(headers) do
    if string.lower(name) == "content-type" then ctype = value end
  end
  if status ~= 200 or not string.find(ctype, "json", 1, true) then
    wrk.thread:stop()
    io.stderr:write("bad response " .. status .. " (" .. ctype .. "): " .. string.sub(body, 1, 300) .. "\n")
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d errors=%d seconds=%.3f rps=%.2f p50_ms=%.2f p95_ms=%.2f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
