-- The population raster for :hromada: a real (not estimated) raster whose extent covers the
-- громада's boundary wins over an estimate made for the громада; the newest date first.
WITH boundary AS (
  SELECT ST_Union(b.geom) AS g FROM hromady b WHERE b.hromada = :hromada AND b.code = :hromada
)
SELECT r.id, r.name, r.path, r.crs, r.acquired, r.source, r.is_estimate, r.method, r.unit
FROM raster_dataset r CROSS JOIN boundary b
WHERE r.kind = 'population'
  AND ((NOT r.is_estimate AND b.g IS NOT NULL AND ST_Covers(r.extent, b.g))
       OR (r.is_estimate AND r.hromada = :hromada))
ORDER BY r.is_estimate, r.acquired DESC, r.id DESC
LIMIT 1
