-- Public tourist objects of one громада with their point.
SELECT o.id::text AS id, o.code, o.name, o.category, o.heritage_status, o.description,
       o.location_precision, o.audio_story_url, o.website, o.qr_code, o.source,
       ST_Y(o.geom) AS lat, ST_X(o.geom) AS lon
FROM pub.tourist_objects o
WHERE o.hromada = :hromada AND o.geom IS NOT NULL
ORDER BY o.category, o.name
