-- gap: settlements_without_wifi
-- name:
--   uk: Населені пункти без відкритої зони Wi-Fi
--   en: Settlements without an open Wi-Fi zone
-- inputs: [settlements, wifi_zones]
-- counts: settlements
-- parameters:
--   access: open
-- method:
--   uk: Населені пункти, у межах яких (без межі - за кодом КАТОТТГ зони) немає зони Wi-Fi з доступом access, що діє на дату.
--   en: Settlements with no Wi-Fi zone of the given access in service on the date inside their polygon (without one - by the zone's КАТОТТГ code).
WITH zone AS (
  SELECT w.geom, w.katottg FROM wifi_zones w
  WHERE w.hromada = :hromada AND {{in_service w}} AND w.access = :access
)
SELECT p.katottg AS territory, p.name, p.population, coalesce(p.geom, p.point) AS geom,
       jsonb_build_object('located', p.geom IS NOT NULL OR p.point IS NOT NULL) AS properties
FROM settlements p
WHERE p.hromada = :hromada AND {{in_service p}}
  AND NOT EXISTS (SELECT 1 FROM zone z
                  WHERE CASE WHEN p.geom IS NOT NULL THEN ST_Intersects(z.geom, p.geom)
                             ELSE z.katottg = p.katottg END)
ORDER BY p.population DESC NULLS LAST, p.katottg
