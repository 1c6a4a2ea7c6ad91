-- Candidate × demand pairs within :radius_m (on the ellipsoid). Demand: each part of the gap's
-- uncovered area (a settlement polygon minus the present coverage, or an uncovered point), weighted
-- by the residents it holds (the settlement's uncovered residents split by area). Candidates: a
-- point on every located settlement in service (inside its polygon, or its point), and a point on
-- every uncovered part (so a part far from its settlement's centre can still be reached).
WITH part AS (
  SELECT g.territory, (g.properties ->> 'residents_outside')::float8 AS residents, g.geom, d.geom AS piece
  FROM ({gap}) g, LATERAL ST_Dump(g.geom) d
  WHERE g.geom IS NOT NULL
),
demand AS (
  SELECT territory, territory || '#' || row_number() OVER (PARTITION BY territory ORDER BY ST_AsEWKB(piece)) AS demand,
         CASE WHEN GeometryType(geom) LIKE '%POLYGON' AND ST_Area(geom) > 0
              THEN residents * ST_Area(piece) / ST_Area(geom) ELSE residents END AS weight,
         ST_PointOnSurface(piece) AS pt, GeometryType(piece) LIKE '%POLYGON' AS polygonal
  FROM part
),
candidate AS (
  SELECT p.katottg AS candidate, p.name, coalesce(ST_PointOnSurface(p.geom), p.point) AS pt
  FROM settlements p
  WHERE p.hromada = :hromada AND {{in_service p}} AND (p.geom IS NOT NULL OR p.point IS NOT NULL)
  UNION ALL
  SELECT d.demand, min(p.name) || ' (непокрита частина / uncovered part)', d.pt
  FROM demand d JOIN settlements p ON p.katottg = d.territory AND p.hromada = :hromada AND {{in_service p}}
  WHERE d.polygonal
  GROUP BY d.demand, d.pt
)
SELECT c.candidate, c.name, ST_X(c.pt) AS lon, ST_Y(c.pt) AS lat, d.demand, d.weight, d.weight AS residents
FROM candidate c JOIN demand d ON ST_DWithin(geography(c.pt), geography(d.pt), :radius_m)
WHERE d.weight > 0
