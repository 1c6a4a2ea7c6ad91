-- code: CCTV
-- name:
--   uk: Кількість активних камер відеоспостереження
--   en: Number of active CCTV cameras
-- unit: units
-- canonical: CCTV
-- inputs: [cctv_cameras, hromady]
-- method:
--   uk: Кількість камер, що діють на дату, у межах громади.
--   en: Cameras in service on the date within the громада boundary.
WITH boundary AS (SELECT {{boundary}} AS g),
counted AS (
  SELECT count(*) FILTER (WHERE ST_Intersects(c.geom, b.g)) AS inside,
         count(*) FILTER (WHERE NOT ST_Intersects(c.geom, b.g)) AS outside
  FROM cctv_cameras c, boundary b
  WHERE c.hromada = :hromada AND {{in_service c}}
)
SELECT :hromada AS territory,
       CASE WHEN b.g IS NOT NULL THEN c.inside END AS value,
       CASE WHEN b.g IS NOT NULL THEN c.inside END AS numerator,
       NULL::numeric AS denominator,
       CASE WHEN b.g IS NULL THEN 'no_boundary' END AS reason,
       jsonb_build_object('outside_boundary', c.outside) AS details
FROM boundary b, counted c
