-- Mobile coverage areas of :hromada in service on :as_of, one zone per area.
SELECT m.id::text AS zone, concat_ws(' ', m.operator, m.technology) AS name, NULL::integer AS population, m.geom
FROM mobile_coverage m
WHERE m.hromada = :hromada
  AND (m.installed_at IS NULL OR m.installed_at <= :as_of)
  AND (m.removed_at IS NULL OR m.removed_at > :as_of)
  AND (m.status = 'active' OR m.removed_at IS NOT NULL)
ORDER BY m.id
