-- Public shelters of one громада (the pub view holds published datasets and public rows only).
SELECT s.id::text AS id, s.code, s.name, s.kind, s.capacity, s.accessible, s.opening_hours,
       s.always_open, s.address, s.readiness, s.last_verified, s.source,
       ST_Y(s.geom) AS lat, ST_X(s.geom) AS lon
FROM pub.shelters s
WHERE s.hromada = :hromada AND s.geom IS NOT NULL
ORDER BY s.name NULLS LAST, s.code
