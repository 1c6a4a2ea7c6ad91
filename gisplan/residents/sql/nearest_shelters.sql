-- The public shelters of a громада nearest to a point: geodesic distance on the WGS 84 ellipsoid
-- (geography), the reference the shelter page's distances are checked against.
SELECT s.id::text AS id, s.name, s.code,
       ST_Distance(s.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) AS metres,
       degrees(ST_Azimuth(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, s.geom::geography)) AS azimuth
FROM pub.shelters s
WHERE s.hromada = :hromada AND s.geom IS NOT NULL
ORDER BY s.geom::geography <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, s.id
LIMIT :n
