-- code: SHELTER_PLACES
-- name:
--   uk: Кількість місць в укриттях на одного мешканця
--   en: Shelter places per resident
-- unit: ratio
-- unit_label: {uk: місць в укриттях на одного мешканця, en: shelter places per resident}
-- inputs: [shelters, settlements]
-- per_settlement: true
-- method:
--   uk: >-
--     Сума місткості укриттів, що діють на дату, / мешканці. Для населеного пункту — укриття в його
--     межі (без межі — за кодом КАТОТТГ укриття); для громади — усі її укриття. Укриття з невідомою
--     місткістю не додають місць (їх кількість у details: значення — нижня межа).
--   en: >-
--     Total capacity of the shelters in service on the date / residents. Per settlement: the
--     shelters inside its polygon (without a polygon: by the shelter's КАТОТТГ code); for the громада:
--     all its shelters. Shelters of unknown capacity add no places (counted in details: the value
--     is then a lower bound).
-- reasons:
--   capacity_unknown:
--     uk: "місткість невідома для всіх укриттів ({shelters})"
--     en: "the capacity of all shelters ({shelters}) is unknown"
WITH settlement AS (
  SELECT p.katottg AS territory, p.population, p.geom AS polygon
  FROM settlements p
  WHERE p.hromada = :hromada AND {{in_service p}}
),
shelter AS (
  SELECT s.geom, s.katottg, s.capacity FROM shelters s WHERE s.hromada = :hromada AND {{in_service s}}
),
placed AS (
  SELECT t.territory, t.population,
         count(s.geom) AS shelters, count(s.capacity) AS known, coalesce(sum(s.capacity), 0) AS places
  FROM settlement t
  LEFT JOIN shelter s ON CASE WHEN t.polygon IS NOT NULL THEN ST_Intersects(s.geom, t.polygon)
                              ELSE s.katottg = t.territory END
  GROUP BY t.territory, t.population
),
total AS (
  SELECT (SELECT count(*) FROM shelter) AS shelters,
         (SELECT count(capacity) FROM shelter) AS known,
         (SELECT coalesce(sum(capacity), 0) FROM shelter) AS places,
         (SELECT count(*) FROM settlement) AS settlements,
         (SELECT sum(population) FROM settlement) AS population
)
SELECT territory,
       CASE WHEN population > 0 AND NOT (shelters > 0 AND known = 0) THEN places::numeric / population END AS value,
       places AS numerator,
       population AS denominator,
       CASE WHEN coalesce(population, 0) = 0 THEN 'population_unknown'
            WHEN shelters > 0 AND known = 0 THEN 'capacity_unknown' END AS reason,
       jsonb_build_object('shelters', shelters, 'capacity_unknown', shelters - known) AS details
FROM placed
UNION ALL
SELECT :hromada,
       CASE WHEN population > 0 AND NOT (shelters > 0 AND known = 0) THEN places::numeric / population END,
       places,
       population,
       CASE WHEN settlements = 0 THEN 'no_settlements'
            WHEN coalesce(population, 0) = 0 THEN 'no_population'
            WHEN shelters > 0 AND known = 0 THEN 'capacity_unknown' END,
       jsonb_build_object('shelters', shelters, 'capacity_unknown', shelters - known)
FROM total
