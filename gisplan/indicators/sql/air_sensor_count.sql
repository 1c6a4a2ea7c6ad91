-- code: AIR_SENSOR_COUNT
-- name:
--   uk: Кількість датчиків вимірювання якості повітря
--   en: Number of air-quality sensors
-- unit: units
-- canonical: AIR_SENSOR_COUNT
-- inputs: [air_sensors, hromady]
-- method:
--   uk: >-
--     Кількість датчиків (пунктів спостереження), що діють на дату, у межах громади
--     (ST_Intersects з межею громади).
--   en: >-
--     Sensors (observation points) in service on the date within the громада boundary
--     (ST_Intersects with the boundary).
WITH boundary AS (SELECT {{boundary}} AS g),
counted AS (
  SELECT count(*) FILTER (WHERE ST_Intersects(s.geom, b.g)) AS inside,
         count(*) FILTER (WHERE NOT ST_Intersects(s.geom, b.g)) AS outside
  FROM air_sensors s, boundary b
  WHERE s.hromada = :hromada AND {{in_service s}}
)
SELECT :hromada AS territory,
       CASE WHEN b.g IS NOT NULL THEN c.inside END AS value,
       CASE WHEN b.g IS NOT NULL THEN c.inside END AS numerator,
       NULL::numeric AS denominator,
       CASE WHEN b.g IS NULL THEN 'no_boundary' END AS reason,
       jsonb_build_object('outside_boundary', c.outside) AS details
FROM boundary b, counted c
