-- gap: settlements_without_air_sensor
-- name:
--   uk: Населені пункти без пункту спостереження за якістю повітря
--   en: Settlements without an air quality sensor
-- inputs: [settlements, air_sensors]
-- counts: settlements
-- method:
--   uk: Населені пункти, у межах яких (без межі - за кодом КАТОТТГ датчика) немає датчика, що діє на дату.
--   en: Settlements with no sensor in service on the date inside their polygon (without one - by the sensor's КАТОТТГ code).
WITH sensor AS (
  SELECT s.geom, s.katottg FROM air_sensors s WHERE s.hromada = :hromada AND {{in_service s}}
)
SELECT p.katottg AS territory, p.name, p.population, coalesce(p.geom, p.point) AS geom,
       jsonb_build_object('located', p.geom IS NOT NULL OR p.point IS NOT NULL) AS properties
FROM settlements p
WHERE p.hromada = :hromada AND {{in_service p}}
  AND NOT EXISTS (SELECT 1 FROM sensor s
                  WHERE CASE WHEN p.geom IS NOT NULL THEN ST_Intersects(s.geom, p.geom)
                             ELSE s.katottg = p.katottg END)
ORDER BY p.population DESC NULLS LAST, p.katottg
