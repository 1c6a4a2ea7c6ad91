-- code: AIR_SENSOR_DENSITY
-- name:
--   uk: Співвідношення кількості датчиків вимірювання якості повітря до площі населених пунктів ТГ
--   en: Air-quality sensors per km² of the settlements' area
-- unit: coefficient
-- unit_label: {uk: датчиків на 1 км² площі населених пунктів, en: sensors per km² of settlement area}
-- canonical: AIR_SENSOR_DENSITY
-- inputs: [air_sensors, settlements, hromady]
-- per_settlement: true
-- method:
--   uk: >-
--     Датчики, що діють на дату, у межах громади, поділені на сумарну площу полігонів населених
--     пунктів (км², на еліпсоїді). Для населеного пункту: датчики в його межі на його площу.
--     Населені пункти, задані лише точкою, до площі не входять (кількість у details).
--   en: >-
--     Sensors in service on the date within the громада boundary, divided by the total area of the
--     settlement polygons (km², on the ellipsoid). Per settlement: the sensors inside its polygon
--     over its area. Settlements known only as points add no area (counted in details).
-- reasons:
--   settlements_points_only:
--     uk: "населені пункти задані лише точками: щільність потребує полігонів (меж населених пунктів)"
--     en: "settlements are points only: density needs polygons (settlement boundaries)"
--   settlement_no_polygon:
--     uk: "межа населеного пункту невідома: щільність потребує полігона"
--     en: "the settlement's boundary is unknown: density needs a polygon"
WITH boundary AS (SELECT {{boundary}} AS g),
sensor AS (
  SELECT s.geom FROM air_sensors s WHERE s.hromada = :hromada AND {{in_service s}}
),
settlement AS (
  SELECT p.katottg AS territory, p.geom AS polygon, ST_Area(geography(p.geom)) / 1e6 AS area_km2
  FROM settlements p
  WHERE p.hromada = :hromada AND {{in_service p}}
),
per_settlement AS (
  SELECT t.territory, t.area_km2,
         (SELECT count(*) FROM sensor s WHERE ST_Intersects(s.geom, t.polygon)) AS sensors
  FROM settlement t
),
total AS (
  SELECT (SELECT count(*) FROM sensor s, boundary b WHERE ST_Intersects(s.geom, b.g)) AS sensors,
         (SELECT sum(area_km2) FROM settlement) AS area_km2,
         (SELECT count(*) FROM settlement) AS settlements,
         (SELECT count(*) FROM settlement WHERE polygon IS NOT NULL) AS polygons,
         (SELECT g IS NOT NULL FROM boundary) AS has_boundary
)
SELECT territory,
       CASE WHEN area_km2 > 0 THEN sensors / area_km2 END AS value,
       sensors AS numerator,
       area_km2 AS denominator,
       CASE WHEN coalesce(area_km2, 0) = 0 THEN 'settlement_no_polygon' END AS reason,
       jsonb_build_object('area_km2', area_km2) AS details
FROM per_settlement
UNION ALL
SELECT :hromada,
       CASE WHEN has_boundary AND area_km2 > 0 THEN sensors / area_km2 END,
       sensors,
       area_km2,
       CASE WHEN NOT has_boundary THEN 'no_boundary'
            WHEN settlements = 0 THEN 'no_settlements'
            WHEN coalesce(area_km2, 0) = 0 THEN 'settlements_points_only' END,
       jsonb_build_object('settlements', settlements, 'polygons', polygons,
                          'without_polygon', settlements - polygons, 'area_km2', area_km2)
FROM total
