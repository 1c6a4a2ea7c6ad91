-- gap: shelter_deficit
-- name:
--   uk: Дефіцит місць в укриттях за населеними пунктами
--   en: Shelter deficit by settlement
-- inputs: [settlements, shelters]
-- counts: residents
-- method:
--   uk: Для кожного населеного пункту - місця в укриттях, що діють на дату, у його межі (без межі - за кодом КАТОТТГ укриття) мінус мешканці; показано ті, де результат від'ємний. Укриття з невідомою місткістю не додають місць (їх кількість у shelters_capacity_unknown).
--   en: For each settlement, the places of shelters in service on the date inside its polygon (without one - by the shelter's КАТОТТГ code) minus its residents; those below zero are shown. Shelters of unknown capacity add no places (counted in shelters_capacity_unknown).
WITH shelter AS (
  SELECT s.geom, s.katottg, s.capacity FROM shelters s WHERE s.hromada = :hromada AND {{in_service s}}
),
tally AS (
  SELECT p.katottg, p.name, p.population, coalesce(p.geom, p.point) AS geom,
         count(s.*) AS shelters, coalesce(sum(s.capacity), 0) AS places,
         count(s.*) FILTER (WHERE s.capacity IS NULL) AS unknown
  FROM settlements p
  LEFT JOIN shelter s ON CASE WHEN p.geom IS NOT NULL THEN ST_Intersects(s.geom, p.geom)
                              ELSE s.katottg = p.katottg END
  WHERE p.hromada = :hromada AND {{in_service p}} AND p.population IS NOT NULL
  GROUP BY p.katottg, p.name, p.population, p.geom, p.point
)
SELECT katottg AS territory, name, population, geom,
       jsonb_build_object('places', places, 'residents', population, 'balance', places - population,
                          'shelters', shelters, 'shelters_capacity_unknown', unknown,
                          'located', geom IS NOT NULL) AS properties
FROM tally
WHERE places - population < 0
ORDER BY places - population, katottg
