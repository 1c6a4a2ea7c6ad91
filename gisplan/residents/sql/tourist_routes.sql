-- Public tourist routes of one громада, geometry as GeoJSON (7 decimals).
SELECT r.id::text AS id, r.name, r.kind, r.length_km, r.description, r.source,
       ST_AsGeoJSON(r.geom, 6)::json AS geometry
FROM pub.tourist_routes r
WHERE r.hromada = :hromada AND r.geom IS NOT NULL
ORDER BY r.name
