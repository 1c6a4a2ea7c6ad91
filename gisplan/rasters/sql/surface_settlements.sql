-- Settlements of :hromada in service on :as_of with what the population surface needs: the polygon
-- (or NULL), the point as WKT (or NULL) and the population (or NULL).
SELECT p.katottg, p.name, p.population, p.geom AS polygon, ST_AsText(p.point) AS point_wkt
FROM settlements p
WHERE p.hromada = :hromada
  AND (p.installed_at IS NULL OR p.installed_at <= :as_of)
  AND (p.removed_at IS NULL OR p.removed_at > :as_of)
ORDER BY p.katottg
