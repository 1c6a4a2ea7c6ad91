-- The settlements of :hromada among :codes, as drawn (polygon, else point), one row per КАТОТТГ
-- code (the one in service on :as_of first), resolved through the search path like the metrics.
SELECT DISTINCT ON (p.katottg) p.katottg, p.name, p.population,
       ST_AsGeoJSON(coalesce(p.geom, p.point), 6) AS geometry
FROM settlements p
WHERE p.hromada = :hromada AND p.katottg = ANY(CAST(:codes AS text[]))
  AND coalesce(p.geom, p.point) IS NOT NULL
ORDER BY p.katottg, (p.removed_at IS NULL OR p.removed_at > :as_of) DESC, p.updated_at DESC
