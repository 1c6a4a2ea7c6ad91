-- Candidates that each close one settlement of a gap: a point on the settlement (inside its
-- polygon, or its point). {gap} is the gap's SELECT; every located row is a candidate and a demand.
SELECT g.territory AS candidate, g.name, ST_X(x.pt) AS lon, ST_Y(x.pt) AS lat,
       g.territory AS demand, 1.0 AS weight, coalesce(g.population, 0) AS residents
FROM ({gap}) g, LATERAL (SELECT ST_PointOnSurface(g.geom) AS pt) x
WHERE g.geom IS NOT NULL
