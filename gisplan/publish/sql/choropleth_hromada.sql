-- A громада's boundary and name from the hromady layer on :as_of (resolved through the search
-- path: the pub view for anonymous callers, the table for a reader of the громада).
SELECT b.name, ST_AsGeoJSON(ST_Multi(ST_Union(b.geom)), 6) AS geometry
FROM hromady b
WHERE b.hromada = :hromada AND b.code = :hromada
  AND (b.installed_at IS NULL OR b.installed_at <= :as_of)
  AND (b.removed_at IS NULL OR b.removed_at > :as_of)
GROUP BY b.name
