-- Settlement polygons of :hromada in service on :as_of (settlements known only as points have no area).
SELECT p.katottg AS zone, p.name, p.population, p.geom
FROM settlements p
WHERE p.hromada = :hromada AND p.geom IS NOT NULL
  AND (p.installed_at IS NULL OR p.installed_at <= :as_of)
  AND (p.removed_at IS NULL OR p.removed_at > :as_of)
ORDER BY p.katottg
