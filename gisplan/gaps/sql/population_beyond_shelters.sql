-- gap: population_beyond_shelters
-- name:
--   uk: Населення далі заданої відстані від укриття
--   en: Residents beyond a given distance of a shelter
-- inputs: [settlements, shelters]
-- counts: residents
-- parameters:
--   distance_m: 500
--   quad_segs: 32
-- method:
--   uk: Частини населених пунктів далі distance_m від укриттів, що діють на дату (доповнення показника SHELTER_REACH); мешканці - населення × частка площі поза зоною (точка - усі або ніхто; не нанесені - усі, без геометрії).
--   en: The parts of settlements farther than distance_m from the shelters in service on the date (the complement of SHELTER_REACH); residents = population × the share of area outside (a point - all or none; unlocated - all, without geometry).
WITH shelter AS (
  SELECT s.geom FROM shelters s WHERE s.hromada = :hromada AND {{in_service s}}
),
cover AS (
  SELECT ST_Union(ST_Buffer(geography(geom), :distance_m, CAST(:quad_segs AS integer))::geometry) AS g FROM shelter
),
judged AS (
  SELECT p.katottg, p.name, p.population, p.point,
         CASE WHEN p.geom IS NULL THEN NULL WHEN c.g IS NULL THEN p.geom
              ELSE ST_Multi(ST_CollectionExtract(ST_Difference(p.geom, c.g), 3)) END AS outside,
         CASE WHEN p.geom IS NOT NULL THEN
                1 - coalesce(ST_Area(geography(ST_Intersection(p.geom, c.g))) / NULLIF(ST_Area(geography(p.geom)), 0), 0)
              WHEN p.point IS NOT NULL THEN
                1 - (EXISTS (SELECT 1 FROM shelter s WHERE ST_DWithin(geography(s.geom), geography(p.point), :distance_m)))::int
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
