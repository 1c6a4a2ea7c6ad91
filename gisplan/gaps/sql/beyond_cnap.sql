-- gap: beyond_cnap
-- name:
--   uk: Території далі заданої відстані від ЦНАП
--   en: Areas beyond the given distance of a CNAP point
-- inputs: [hromady, settlements, cnap_points]
-- counts: residents
-- parameters:
--   distance_m: 5000
--   kinds: [main_office, territorial_unit, remote_workplace, diia_centre]
--   quad_segs: 32
-- method:
--   uk: Межа громади без кіл радіусом distance_m навколо точок ЦНАП зазначених видів, що діють на дату; мешканці - як у показнику CNAP_REACH (частка площі населеного пункту поза зоною).
--   en: The громада's boundary minus discs of radius distance_m around CNAP points of the given kinds in service on the date; residents as in CNAP_REACH (the share of each settlement's area outside).
WITH service_point AS (
  SELECT c.geom FROM cnap_points c
  WHERE c.hromada = :hromada AND {{in_service c}} AND c.kind = ANY(CAST(:kinds AS text[]))
),
cover AS (
  SELECT ST_Union(ST_Buffer(geography(geom), :distance_m, CAST(:quad_segs AS integer))::geometry) AS g
  FROM service_point
),
boundary AS (SELECT {{boundary}} AS g),
residents AS (
  SELECT coalesce(sum(p.population * CASE
           WHEN p.geom IS NOT NULL THEN 1 - coalesce(ST_Area(geography(ST_Intersection(p.geom, c.g)))
                                                     / NULLIF(ST_Area(geography(p.geom)), 0), 0)
           WHEN p.point IS NOT NULL THEN 1 - (EXISTS (SELECT 1 FROM service_point s
                         WHERE ST_DWithin(geography(s.geom), geography(p.point), :distance_m)))::int
           ELSE 1 END), 0) AS beyond,
         coalesce(sum(p.population), 0) AS total
  FROM settlements p CROSS JOIN cover c
  WHERE p.hromada = :hromada AND {{in_service p}}
),
area AS (
  SELECT CASE WHEN c.g IS NULL THEN b.g ELSE ST_Multi(ST_CollectionExtract(ST_Difference(b.g, c.g), 3)) END AS g
  FROM boundary b CROSS JOIN cover c
)
SELECT :hromada AS territory, NULL::text AS name, NULL::integer AS population, a.g AS geom,
       jsonb_build_object('area_km2', round((ST_Area(geography(a.g)) / 1e6)::numeric, 4),
                          'residents_beyond', round(r.beyond::numeric, 3),
                          'residents_total', r.total,
                          'service_points', (SELECT count(*) FROM service_point)) AS properties
FROM area a CROSS JOIN residents r
WHERE a.g IS NOT NULL AND NOT ST_IsEmpty(a.g)
