-- The newest registered (not estimated) population raster whose extent covers :hromada's boundary.
SELECT r.id, r.path, r.source, r.acquired
FROM raster_dataset r
WHERE r.kind = 'population' AND NOT r.is_estimate
  AND ST_Covers(r.extent, (SELECT ST_Union(b.geom) FROM hromady b WHERE b.hromada = :hromada AND b.code = :hromada))
ORDER BY r.acquired DESC, r.id DESC
LIMIT 1
