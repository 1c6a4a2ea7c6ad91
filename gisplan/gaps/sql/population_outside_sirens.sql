-- gap: population_outside_sirens
-- name:
--   uk: Населення поза зоною чутності сирен
--   en: Residents outside the audible radius of sirens
-- inputs: [settlements, alert_sirens]
-- counts: residents
-- parameters:
--   quad_segs: 32
-- method:
--   uk: Частини населених пунктів поза об'єднанням кіл радіусом audible_radius_m сирен, що діють на дату; мешканці - населення × частка площі поза зоною (точка - усі або ніхто; не нанесені - усі, без геометрії).
--   en: The parts of settlements outside the union of discs of radius audible_radius_m of the sirens in service on the date; residents = population × the share of area outside (a point - all or none; unlocated - all, without geometry).
WITH siren AS (
  SELECT a.geom, a.audible_radius_m AS radius FROM alert_sirens a
  WHERE a.hromada = :hromada AND {{in_service a}} AND a.audible_radius_m > 0
),
cover AS (
  SELECT ST_Union(ST_Buffer(geography(geom), radius, CAST(:quad_segs AS integer))::geometry) AS g FROM siren
),
judged AS (
  SELECT p.katottg, p.name, p.population, p.point,
         CASE WHEN p.geom IS NULL THEN NULL WHEN c.g IS NULL THEN p.geom
              ELSE ST_Multi(ST_CollectionExtract(ST_Difference(p.geom, c.g), 3)) END AS outside,
         CASE WHEN p.geom IS NOT NULL THEN
                1 - coalesce(ST_Area(geography(ST_Intersection(p.geom, c.g))) / NULLIF(ST_Area(geography(p.geom)), 0), 0)
              WHEN p.point IS NOT NULL THEN
                1 - (EXISTS (SELECT 1 FROM siren a WHERE ST_DWithin(geography(a.geom), geography(p.point), a.radius)))::int
              ELSE 1 END AS outside_share
  FROM settlements p CROSS JOIN cover c
  WHERE p.hromada = :hromada AND {{in_service p}}
)
SELECT katottg AS territory, name, population,
       CASE WHEN outside IS NOT NULL THEN outside ELSE point END AS geom,
       jsonb_build_object('outside_share', round(outside_share::numeric, 6),
                          'residents_outside', round((population * outside_share)::numeric, 3),
                          'located', outside IS NOT NULL OR point IS NOT NULL) AS properties
FROM judged
WHERE outside_share > 1e-9
ORDER BY population * outside_share DESC NULLS LAST, katottg
