-- The national synthetic set: every громада from the real boundaries that has no settlements of
-- its own (the demo громади keep their real data), about 20 settlements each (a tenth known only by
-- a point), shelters, schools, air sensors, sirens, ЦНАП points, Wi-Fi zones and one mobile coverage
-- area. Deterministic: setseed(:seed), ST_GeneratePoints with seeds, no parallel plans.
-- Statements are separated by lines holding only ";;".
SET LOCAL max_parallel_workers_per_gather = 0
;;
SELECT setseed(:seed)
;;
CREATE TEMP TABLE nat_hromada ON COMMIT DROP AS
SELECT h.hromada, ST_Union(h.geom) AS geom, (row_number() OVER (ORDER BY h.hromada))::int AS n
FROM hromady h
WHERE h.code = h.hromada
  AND NOT EXISTS (SELECT 1 FROM settlements s WHERE s.hromada = h.hromada
                  AND s.source IS DISTINCT FROM 'synthetic-national')
GROUP BY h.hromada
ORDER BY h.hromada
LIMIT :limit
;;
CREATE TEMP TABLE nat_settlement ON COMMIT DROP AS
WITH centre AS (
  SELECT h.hromada, h.geom AS boundary, d.path[1] AS i, d.geom AS pt
  FROM nat_hromada h,
       LATERAL ST_Dump(ST_GeneratePoints(h.geom, :settlements_per + (h.n % 11) - 5, h.n)) d
  ORDER BY h.hromada, d.path[1]
)
SELECT hromada, 'UA' || substr(hromada, 3, 11) || '9' || lpad(i::text, 5, '0') AS code, pt,
       CASE WHEN random() < 0.1 THEN NULL
            ELSE ST_Multi(ST_CollectionExtract(ST_Intersection(
                   ST_Buffer(geography(pt), 300 + 1200 * random(), 8)::geometry, boundary), 3)) END AS geom,
       (50 + floor(exp(4.5 + 2.5 * random())))::int AS population,
       random() < 0.7 AS broadband
FROM centre
;;
INSERT INTO settlements (hromada, code, katottg, name, population, population_year, population_method,
                         located, broadband_fixed, geom, point, source)
SELECT hromada, code, code, 'Населений пункт ' || right(code, 5), population, 2024, 'estimate',
       true, broadband, CASE WHEN ST_IsEmpty(geom) THEN NULL ELSE geom END, pt, 'synthetic-national'
FROM nat_settlement
;;
CREATE TEMP TABLE nat_spot ON COMMIT DROP AS
SELECT s.hromada, s.code, s.pt, s.geom, random() AS r1, random() AS r2, random() AS r3
FROM nat_settlement s
;;
INSERT INTO shelters (hromada, katottg, code, name, capacity, geom, source)
SELECT s.hromada, s.code, s.code || '-S' || k, 'Укриття ' || k,
       CASE WHEN random() < 0.1 THEN NULL ELSE (20 + floor(400 * random()))::int END,
       CASE WHEN s.geom IS NULL OR ST_IsEmpty(s.geom) THEN s.pt
            ELSE (SELECT g.geom FROM ST_Dump(ST_GeneratePoints(s.geom, 1, k + 7 * length(s.code))) g LIMIT 1) END,
       'synthetic-national'
FROM nat_spot s, generate_series(1, floor(s.r1 * 5)::int) k
;;
INSERT INTO schools (hromada, katottg, code, name, kind, geom, source)
SELECT hromada, code, code || '-E', 'Ліцей ' || right(code, 5), 'general_secondary', pt, 'synthetic-national'
FROM nat_spot WHERE r2 < 0.67
;;
INSERT INTO air_sensors (hromada, katottg, code, name, geom, source)
SELECT hromada, code, code || '-A', 'Датчик ' || right(code, 5), pt, 'synthetic-national'
FROM nat_spot WHERE r3 < 0.33
;;
INSERT INTO alert_sirens (hromada, katottg, code, name, audible_radius_m, system_type, geom, source)
SELECT hromada, code, code || '-R', 'Сирена ' || right(code, 5), 500 + round(2000 * r2), 'centralized_automated', pt,
       'synthetic-national'
FROM nat_spot WHERE r3 >= 0.33 AND r3 < 0.50
;;
INSERT INTO wifi_zones (hromada, katottg, code, name, access, geom, source)
SELECT hromada, code, code || '-W', 'Wi-Fi ' || right(code, 5), 'open', pt, 'synthetic-national'
FROM nat_spot WHERE r1 >= 0.8
;;
INSERT INTO cnap_points (hromada, katottg, code, name, kind, geom, source)
SELECT DISTINCT ON (hromada) hromada, code, code || '-C', 'ЦНАП', 'main_office', pt, 'synthetic-national'
FROM nat_spot ORDER BY hromada, code
;;
INSERT INTO mobile_coverage (hromada, operator, technology, geom, source)
SELECT h.hromada, 'kyivstar', 'lte_4g',
       ST_Multi(ST_CollectionExtract(ST_Intersection(
         ST_Buffer(geography(ST_PointOnSurface(h.geom)), 5000 + 10000 * random(), 16)::geometry, h.geom), 3)),
       'synthetic-national'
FROM nat_hromada h
