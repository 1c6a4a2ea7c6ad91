-- One public tourist object by its id or by its QR plate's short code.
SELECT o.id::text AS id, o.hromada, o.code, o.name, o.category, o.heritage_status, o.description,
       o.location_precision, o.audio_story_url, o.website, o.qr_code, o.source,
       ST_Y(o.geom) AS lat, ST_X(o.geom) AS lon
FROM pub.tourist_objects o
WHERE (CAST(:id AS uuid) IS NULL OR o.id = CAST(:id AS uuid))
  AND (CAST(:qr AS text) IS NULL OR o.qr_code = CAST(:qr AS text))
  AND (CAST(:hromada AS text) IS NULL OR o.hromada = CAST(:hromada AS text))
LIMIT 1
