-- The published datasets as catalogue entries (CSW): one row per dataset with what search needs.
-- :hromada NULL = every громада. The box is the громада's boundary (one indexed row of hromady).
SELECT d.layer, d.hromada, d.metadata_uuid::text AS uuid, d.change_count,
       coalesce(d.changed_at, d.published_at) AS modified,
       t.name AS place, m.title, m.abstract, m.keywords,
       ST_XMin(b.box) AS west, ST_YMin(b.box) AS south, ST_XMax(b.box) AS east, ST_YMax(b.box) AS north
FROM dataset d
JOIN territory t ON t.code = d.hromada
LEFT JOIN dataset_metadata m ON m.layer = d.layer AND m.hromada = d.hromada
LEFT JOIN LATERAL (
    SELECT h.geom::box2d AS box FROM public.hromady h
    WHERE h.hromada = d.hromada AND h.geom IS NOT NULL LIMIT 1
) b ON true
WHERE d.published AND (CAST(:hromada AS text) IS NULL OR d.hromada = CAST(:hromada AS text))
ORDER BY d.hromada, d.layer
