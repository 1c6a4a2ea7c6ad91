-- Published datasets for the Atom download feeds, with the громада's name and boundary box (one
-- indexed row each; no layer data is read). Every filter is optional (NULL: all).
SELECT d.layer, d.hromada, d.metadata_uuid::text AS uuid, d.change_count, d.changed_at, d.published_at,
       t.name AS hromada_name,
       ST_XMin(e.b) AS x0, ST_YMin(e.b) AS y0, ST_XMax(e.b) AS x1, ST_YMax(e.b) AS y1
FROM dataset d
LEFT JOIN territory t ON t.code = d.hromada
LEFT JOIN LATERAL (
  SELECT h.geom::box2d AS b FROM public.hromady h
  WHERE h.hromada = d.hromada AND h.geom IS NOT NULL LIMIT 1
) e ON true
WHERE d.published
  AND (CAST(:hromada AS text) IS NULL OR d.hromada = :hromada)
  AND (CAST(:layer AS text) IS NULL OR d.layer = :layer)
  AND (CAST(:uuid AS uuid) IS NULL OR d.metadata_uuid = CAST(:uuid AS uuid))
ORDER BY d.hromada, d.layer
