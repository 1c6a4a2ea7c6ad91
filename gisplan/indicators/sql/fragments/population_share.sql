-- The rows of a "% of residents covered" metric, from two CTEs of the metric:
--   share(territory, population, located_as, covered_share): one row per settlement in service;
--     located_as is polygon, point or unlocated; covered_share the covered part of its residents
--     (area-weighted for a polygon, 0 or 1 for a point, NULL when unlocated);
--   extra(details): counts of the metric's own inputs, added to the громада row.
-- A settlement that is not on the map is counted as not covered in the громада total (its residents
-- are not shown to be covered) and gets no value of its own.
SELECT territory,
       CASE WHEN located_as <> 'unlocated' AND population IS NOT NULL THEN 100.0 * covered_share END AS value,
       population * covered_share AS numerator,
       population AS denominator,
       CASE WHEN located_as = 'unlocated' THEN 'settlement_unlocated'
            WHEN population IS NULL THEN 'population_unknown' END AS reason,
       jsonb_build_object('located_as', located_as) AS details
FROM share
UNION ALL
SELECT :hromada,
       CASE WHEN sum(population) > 0
            THEN 100.0 * sum(population * coalesce(covered_share, 0)) / sum(population) END,
       coalesce(sum(population * coalesce(covered_share, 0)), 0),
       sum(population),
       CASE WHEN count(*) = 0 THEN 'no_settlements'
            WHEN coalesce(sum(population), 0) = 0 THEN 'no_population' END,
       jsonb_build_object(
         'settlements', count(*),
         'polygons', count(*) FILTER (WHERE located_as = 'polygon'),
         'points', count(*) FILTER (WHERE located_as = 'point'),
         'unlocated', count(*) FILTER (WHERE located_as = 'unlocated'),
         'unlocated_population', coalesce(sum(population) FILTER (WHERE located_as = 'unlocated'), 0),
         'population_unknown', count(*) FILTER (WHERE population IS NULL)
       ) || (SELECT details FROM extra)
FROM share
