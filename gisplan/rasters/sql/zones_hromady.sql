-- The boundary of :hromada (its own row of the hromady layer) on :as_of.
SELECT b.hromada AS zone, b.name, NULL::integer AS population, b.geom
FROM hromady b
WHERE b.hromada = :hromada AND b.code = :hromada
  AND (b.installed_at IS NULL OR b.installed_at <= :as_of)
  AND (b.removed_at IS NULL OR b.removed_at > :as_of)
