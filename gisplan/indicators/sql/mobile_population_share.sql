-- code: MOBILE_POPULATION_SHARE
-- name:
--   uk: "% населення ТГ у зоні покриття мобільного інтернету"
--   en: "% of residents inside mobile internet coverage"
-- unit: percent
-- inputs: [mobile_coverage, settlements]
-- per_settlement: true
-- parameters:
--   technologies: [umts_3g, lte_4g, nr_5g]
-- method:
--   uk: >-
--     100 × мешканці в зонах покриття мобільного зв’язку зазначених технологій, що діють на дату /
--     усі мешканці громади. Населений пункт з межею: населення × частка площі в зоні покриття;
--     заданий точкою: у зоні чи ні; не нанесений на карту — не охоплений.
--   en: >-
--     100 × residents inside coverage areas of the given mobile technologies in service on the date
--     / all residents of the громада. A settlement polygon: population × the share of its area
--     covered; a settlement point: in or out; a settlement not on the map: not covered.
WITH settlement AS (
  SELECT p.katottg AS territory, p.population, p.geom AS polygon, p.point
  FROM settlements p
  WHERE p.hromada = :hromada AND {{in_service p}}
),
coverage AS (
  SELECT m.geom FROM mobile_coverage m
  WHERE m.hromada = :hromada AND {{in_service m}} AND m.technology = ANY(CAST(:technologies AS text[]))
),
cover AS (SELECT ST_Union(geom) AS g FROM coverage),
share AS (
  SELECT t.territory, t.population,
         CASE WHEN t.polygon IS NOT NULL THEN 'polygon' WHEN t.point IS NOT NULL THEN 'point'
              ELSE 'unlocated' END AS located_as,
         CASE WHEN t.polygon IS NOT NULL THEN
                coalesce(ST_Area(geography(ST_Intersection(t.polygon, c.g)))
                         / NULLIF(ST_Area(geography(t.polygon)), 0), 0)
              WHEN t.point IS NOT NULL THEN coalesce(ST_Intersects(t.point, c.g), false)::int
         END AS covered_share
  FROM settlement t CROSS JOIN cover c
),
extra AS (SELECT jsonb_build_object('coverage_areas', count(*)) AS details FROM coverage)
{{population_share}}
