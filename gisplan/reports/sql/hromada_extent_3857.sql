-- The громада's boundary box in Web Mercator (EPSG:3857), for the report maps.
-- :hromada  КАТОТТГ code of the громада
SELECT ST_XMin(b) AS xmin, ST_YMin(b) AS ymin, ST_XMax(b) AS xmax, ST_YMax(b) AS ymax
FROM (
    SELECT ST_Transform(geom, 3857)::box2d AS b
    FROM public.hromady
    WHERE hromada = :hromada AND geom IS NOT NULL
    LIMIT 1
) AS s
