-- code: SHELTER_REACH
-- name:
--   uk: "% населення ТГ у межах заданої відстані від укриття"
--   en: "% of residents within a given distance of a shelter"
-- unit: percent
-- inputs: [shelters, settlements]
-- per_settlement: true
-- parameters:
--   distance_m: 500
--   quad_segs: 32
-- method:
--   uk: >-
--     100 × мешканці в межах distance_m (по прямій, на еліпсоїді) від укриттів, що діють на дату /
--     усі мешканці громади. Населений пункт з межею: населення × частка площі в зоні; заданий
--     точкою: у зоні чи ні; не нанесений на карту — не охоплений.
--   en: >-
--     100 × residents within distance_m (straight line, on the ellipsoid) of shelters in service on
--     the date / all residents of the громада. A settlement polygon: population × the share of its
--     area within reach; a point: in or out; a settlement not on the map: not covered.
WITH settlement AS (
  SELECT p.katottg AS territory, p.population, p.geom AS polygon, p.point
  FROM settlements p
  WHERE p.hromada = :hromada AND {{in_service p}}
),
shelter AS (
  SELECT s.geom FROM shelters s WHERE s.hromada = :hromada AND {{in_service s}}
),
cover AS (
  SELECT ST_Union(ST_Buffer(geography(geom), :distance_m, CAST(:quad_segs AS integer))::geometry) AS g
  FROM shelter
),
share AS (
  SELECT t.territory, t.population,
         CASE WHEN t.polygon IS NOT NULL THEN 'polygon' WHEN t.point IS NOT NULL THEN 'point'
              ELSE 'unlocated' END AS located_as,
         CASE WHEN t.polygon IS NOT NULL THEN
                coalesce(ST_Area(geography(ST_Intersection(t.polygon, c.g)))
                         / NULLIF(ST_Area(geography(t.polygon)), 0), 0)
              WHEN t.point IS NOT NULL THEN
                (EXISTS (SELECT 1 FROM shelter s
                         WHERE ST_DWithin(geography(s.geom), geography(t.point), :distance_m)))::int
         END AS covered_share
  FROM settlement t CROSS JOIN cover c
),
extra AS (SELECT jsonb_build_object('shelters', count(*)) AS details FROM shelter)
{{population_share}}
