-- The published datasets a collection list shows, with the громада's name and boundary box
-- (the extent of a collection: the boxes of its громади, read from one row per громада instead
-- of scanning the features). :hromada NULL = every громада; :layer NULL = every layer.
SELECT d.layer, d.hromada, d.published, d.metadata_uuid, d.change_count, d.changed_at, d.published_at,
       t.name AS hromada_name,
       ST_XMin(b.box) AS west, ST_YMin(b.box) AS south, ST_XMax(b.box) AS east, ST_YMax(b.box) AS north
FROM dataset d
LEFT JOIN territory t ON t.code = d.hromada
LEFT JOIN LATERAL (
    SELECT h.geom::box2d AS box FROM public.hromady h
    WHERE h.hromada = d.hromada AND h.geom IS NOT NULL LIMIT 1
) b ON true
WHERE (d.published OR CAST(:all_datasets AS boolean))
  AND (CAST(:hromada AS text) IS NULL OR d.hromada = CAST(:hromada AS text))
  AND (CAST(:layer AS text) IS NULL OR d.layer = CAST(:layer AS text))
ORDER BY d.layer, d.hromada
