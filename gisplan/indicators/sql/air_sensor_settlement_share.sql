-- code: AIR_SENSOR_SETTLEMENT_SHARE
-- name:
--   uk: Частка населених пунктів ТГ, в яких встановлено пункти спостережень за забрудненням атмосферного повітря
--   en: Share of settlements with at least one air-pollution observation point
-- unit: percent
-- canonical: AIR_SENSOR_SETTLEMENT_SHARE
-- inputs: [air_sensors, settlements]
-- method:
--   uk: >-
--     100 × населені пункти, що діють на дату, з ≥ 1 діючим датчиком / усі населені пункти громади.
--     Датчик належить населеному пункту, якщо лежить у його межі; для населеного пункту без межі —
--     за кодом КАТОТТГ датчика (поле katottg).
--   en: >-
--     100 × settlements in service on the date with ≥ 1 sensor in service / all settlements of the
--     громада. A sensor belongs to a settlement when it lies inside its polygon; for a settlement
--     without a polygon, by the sensor's КАТОТТГ code (field katottg).
WITH sensor AS (
  SELECT s.geom, s.katottg FROM air_sensors s WHERE s.hromada = :hromada AND {{in_service s}}
),
settlement AS (
  SELECT p.katottg, p.geom AS polygon FROM settlements p WHERE p.hromada = :hromada AND {{in_service p}}
),
marked AS (
  SELECT t.polygon IS NOT NULL AS by_polygon,
         EXISTS (SELECT 1 FROM sensor s
                 WHERE CASE WHEN t.polygon IS NOT NULL THEN ST_Intersects(s.geom, t.polygon)
                            ELSE s.katottg = t.katottg END) AS marked
  FROM settlement t
)
SELECT :hromada AS territory,
       CASE WHEN count(*) > 0 THEN 100.0 * count(*) FILTER (WHERE marked) / count(*) END AS value,
       count(*) FILTER (WHERE marked) AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) = 0 THEN 'no_settlements' END AS reason,
       jsonb_build_object('sensors', (SELECT count(*) FROM sensor),
                          'by_polygon', count(*) FILTER (WHERE by_polygon),
                          'by_code', count(*) FILTER (WHERE NOT by_polygon)) AS details
FROM marked
