-- code: ALERT
-- name:
--   uk: "% населення ТГ, охопленого цифровою системою сповіщення цивільного захисту"
--   en: "% of residents within the audible radius of operational alert sirens"
-- unit: percent
-- canonical: ALERT
-- inputs: [alert_sirens, settlements]
-- per_settlement: true
-- parameters:
--   quad_segs: 32  # segments per quarter circle of the audible-radius discs
-- method:
--   uk: >-
--     100 × мешканці в межах радіуса чутності сирен, що діють на дату / усі мешканці громади.
--     Зона чутності — об’єднання кіл радіусом audible_radius_m (на еліпсоїді). Населений пункт з
--     межею: його населення × частка площі в зоні (рівномірна щільність); заданий точкою: у зоні
--     чи ні (відстань до сирени ≤ радіуса); не нанесений на карту — не охоплений.
--   en: >-
--     100 × residents within the audible radius of sirens in service on the date / all residents
--     of the громада. The covered area is the union of discs of radius audible_radius_m (on the
--     ellipsoid). A settlement polygon: its population × the share of its area covered (uniform
--     density); a settlement point: in or out (distance to a siren ≤ its radius); a settlement not
--     on the map: not covered.
WITH settlement AS (
  SELECT p.katottg AS territory, p.population, p.geom AS polygon, p.point
  FROM settlements p
  WHERE p.hromada = :hromada AND {{in_service p}}
),
siren AS (
  SELECT a.geom, a.audible_radius_m AS radius FROM alert_sirens a
  WHERE a.hromada = :hromada AND {{in_service a}} AND a.audible_radius_m > 0
),
cover AS (
  SELECT ST_Union(ST_Buffer(geography(geom), radius, CAST(:quad_segs AS integer))::geometry) AS g FROM siren
),
share AS (
  SELECT t.territory, t.population,
         CASE WHEN t.polygon IS NOT NULL THEN 'polygon' WHEN t.point IS NOT NULL THEN 'point'
              ELSE 'unlocated' END AS located_as,
         CASE WHEN t.polygon IS NOT NULL THEN
                coalesce(ST_Area(geography(ST_Intersection(t.polygon, c.g)))
                         / NULLIF(ST_Area(geography(t.polygon)), 0), 0)
              WHEN t.point IS NOT NULL THEN
                (EXISTS (SELECT 1 FROM siren a
                         WHERE ST_DWithin(geography(a.geom), geography(t.point), a.radius)))::int
         END AS covered_share
  FROM settlement t CROSS JOIN cover c
),
extra AS (SELECT jsonb_build_object('sirens', count(*)) AS details FROM siren)
{{population_share}}
