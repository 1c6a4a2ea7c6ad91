-- Seeded random WMS GetMap requests in EPSG:3857 over Ukraine, the same sequence for every server.
-- wrk -s wms_random.lua URL -- PATH SEED WIDTH HEIGHT MINZOOM MAXZOOM LAYERS
-- Extents are tiles of a 256-pixel web-mercator grid (or WIDTH×HEIGHT windows at that zoom)
-- whose centre falls in Ukraine's box; nothing is cached on either side.
local path, width, height, minz, maxz, layers
local counter = 0
local threads = {}

local WEST, EAST, SOUTH, NORTH = 2465800, 4473000, 5340000, 6870000 -- Ukraine in EPSG:3857
local WORLD = 20037508.342789244

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  local seed = tonumber(args[2])
  width, height = tonumber(args[3]), tonumber(args[4])
  minz, maxz = tonumber(args[5]), tonumber(args[6])
  layers = args[7]
  math.randomseed(seed * 1000 + id)
end

function request()
  local z = math.random(minz, maxz)
  local res = 2 * WORLD / (256 * 2 ^ z)
  local cx = WEST + math.random() * (EAST - WEST)
  local cy = SOUTH + math.random() * (NORTH - SOUTH)
  if width == 256 and height == 256 then -- snap to the tile grid
    local tile = 256 * res
    cx = math.floor((cx + WORLD) / tile) * tile - WORLD + tile / 2
    cy = math.floor((cy + WORLD) / tile) * tile - WORLD + tile / 2
  end
  local hw, hh = width * res / 2, height * res / 2
  local bbox = string.format("%.2f,%.2f,%.2f,%.2f", cx - hw, cy - hh, cx + hw, cy + hh)
  counter = counter + 1
  return wrk.format("GET", path .. "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" .. layers ..
    "&STYLES=&CRS=EPSG:3857&BBOX=" .. bbox .. "&WIDTH=" .. width .. "&HEIGHT=" .. height ..
    "&FORMAT=image/png&TRANSPARENT=TRUE")
end

function response(status, headers, body)
  local ctype = ""
  for name, value in pairs(headers) do
    if string.lower(name) == "content-type" then ctype = value end
  end
  if status ~= 200 or not string.find(ctype, "image/png", 1, true) then
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
