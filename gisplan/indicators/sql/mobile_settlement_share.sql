-- code: MOBILE_SETTLEMENT_SHARE
-- name:
--   uk: "% населених пунктів ТГ у зоні покриття мобільного інтернету"
--   en: "% of settlements inside mobile internet coverage"
-- unit: percent
-- inputs: [mobile_coverage, settlements]
-- parameters:
--   technologies: [umts_3g, lte_4g, nr_5g]
--   min_area_share: 0.5  # a settlement polygon counts when at least this share of it is covered
-- method:
--   uk: >-
--     100 × населені пункти в зоні покриття мобільного зв’язку зазначених технологій, що діють на
--     дату / усі населені пункти громади. Населений пункт з межею охоплений, якщо покрито не менше
--     min_area_share його площі; заданий точкою — якщо точка в зоні; не нанесений на карту — ні.
--   en: >-
--     100 × settlements inside coverage of the given mobile technologies in service on the date /
--     all settlements of the громада. A settlement polygon counts when at least min_area_share of
--     its area is covered; a point when it lies inside; a settlement not on the map does not.
WITH settlement AS (
  SELECT p.geom AS polygon, p.point FROM settlements p WHERE p.hromada = :hromada AND {{in_service p}}
),
coverage AS (
  SELECT m.geom FROM mobile_coverage m
  WHERE m.hromada = :hromada AND {{in_service m}} AND m.technology = ANY(CAST(:technologies AS text[]))
),
cover AS (SELECT ST_Union(geom) AS g FROM coverage),
judged AS (
  SELECT CASE WHEN t.polygon IS NOT NULL THEN 'polygon' WHEN t.point IS NOT NULL THEN 'point'
              ELSE 'unlocated' END AS located_as,
         CASE WHEN c.g IS NULL THEN false
              WHEN t.polygon IS NOT NULL THEN
                ST_Area(geography(ST_Intersection(t.polygon, c.g)))
                  >= :min_area_share * ST_Area(geography(t.polygon))
              WHEN t.point IS NOT NULL THEN ST_Intersects(t.point, c.g)
              ELSE false END AS covered
  FROM settlement t CROSS JOIN cover c
)
SELECT :hromada AS territory,
       CASE WHEN count(*) > 0 THEN 100.0 * count(*) FILTER (WHERE covered) / count(*) END AS value,
       count(*) FILTER (WHERE covered) AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) = 0 THEN 'no_settlements' END AS reason,
       jsonb_build_object('coverage_areas', (SELECT count(*) FROM coverage),
                          'polygons', count(*) FILTER (WHERE located_as = 'polygon'),
                          'points', count(*) FILTER (WHERE located_as = 'point'),
                          'unlocated', count(*) FILTER (WHERE located_as = 'unlocated')) AS details
FROM judged
