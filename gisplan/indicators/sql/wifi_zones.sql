-- code: WIFI_ZONES
-- name:
--   uk: Кількість облаштованих відкритих Wi-Fi зон
--   en: Number of open Wi-Fi zones
-- unit: units
-- canonical: WIFI_ZONES
-- inputs: [wifi_zones, hromady]
-- parameters:
--   access: open
-- method:
--   uk: Кількість зон Wi-Fi з вільним доступом, що діють на дату, у межах громади.
--   en: Wi-Fi zones with open access in service on the date within the громада boundary.
WITH boundary AS (SELECT {{boundary}} AS g),
counted AS (
  SELECT count(*) FILTER (WHERE ST_Intersects(w.geom, b.g)) AS inside,
         count(*) FILTER (WHERE NOT ST_Intersects(w.geom, b.g)) AS outside
  FROM wifi_zones w, boundary b
  WHERE w.hromada = :hromada AND {{in_service w}} AND w.access = :access
)
SELECT :hromada AS territory,
       CASE WHEN b.g IS NOT NULL THEN c.inside END AS value,
       CASE WHEN b.g IS NOT NULL THEN c.inside END AS numerator,
       NULL::numeric AS denominator,
       CASE WHEN b.g IS NULL THEN 'no_boundary' END AS reason,
       jsonb_build_object('outside_boundary', c.outside) AS details
FROM boundary b, counted c
