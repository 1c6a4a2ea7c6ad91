-- A point surely inside the громада's published boundary, to centre its maps.
SELECT ST_Y(p), ST_X(p)
FROM (SELECT ST_PointOnSurface(geom) AS p FROM pub.hromady WHERE hromada = :code AND geom IS NOT NULL LIMIT 1) c
