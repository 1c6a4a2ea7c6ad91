-- code: CNAP_REACH
-- name:
--   uk: "% населення ТГ у межах заданої відстані від точки доступу до адміністративних послуг (ЦНАП)"
--   en: "% of residents within a given distance of an administrative service point (CNAP)"
-- unit: percent
-- inputs: [cnap_points, settlements]
-- per_settlement: true
-- parameters:
--   distance_m: 5000
--   kinds: [main_office, territorial_unit, remote_workplace, diia_centre]  # a mobile case's base is not a point of service
--   quad_segs: 32
-- method:
--   uk: >-
--     100 × мешканці в межах distance_m (по прямій, на еліпсоїді) від точок ЦНАП зазначених видів,
--     що діють на дату / усі мешканці громади. Населений пункт з межею: населення × частка площі в
--     зоні; заданий точкою: у зоні чи ні; не нанесений на карту — не охоплений.
--   en: >-
--     100 × residents within distance_m (straight line, on the ellipsoid) of CNAP points of the given
--     kinds in service on the date / all residents of the громада. A settlement polygon: population
--     × the share of its area within reach; a point: in or out; a settlement not on the map: not covered.
WITH settlement AS (
  SELECT p.katottg AS territory, p.population, p.geom AS polygon, p.point
  FROM settlements p
  WHERE p.hromada = :hromada AND {{in_service p}}
),
service_point AS (
  SELECT c.geom FROM cnap_points c
  WHERE c.hromada = :hromada AND {{in_service c}} AND c.kind = ANY(CAST(:kinds AS text[]))
),
cover AS (
  SELECT ST_Union(ST_Buffer(geography(geom), :distance_m, CAST(:quad_segs AS integer))::geometry) AS g
  FROM service_point
),
share AS (
  SELECT t.territory, t.population,
         CASE WHEN t.polygon IS NOT NULL THEN 'polygon' WHEN t.point IS NOT NULL THEN 'point'
              ELSE 'unlocated' END AS located_as,
         CASE WHEN t.polygon IS NOT NULL THEN
                coalesce(ST_Area(geography(ST_Intersection(t.polygon, c.g)))
                         / NULLIF(ST_Area(geography(t.polygon)), 0), 0)
              WHEN t.point IS NOT NULL THEN
                (EXISTS (SELECT 1 FROM service_point s
                         WHERE ST_DWithin(geography(s.geom), geography(t.point), :distance_m)))::int
         END AS covered_share
  FROM settlement t CROSS JOIN cover c
),
extra AS (SELECT jsonb_build_object('service_points', count(*)) AS details FROM service_point)
{{population_share}}
