-- The datasets a WFS caller may see (published ones, or all of the громада for full tables), with
-- the boundary box of their громада (one indexed row each): capabilities never scan layer data.
SELECT d.layer, d.metadata_uuid::text AS uuid, d.changed_at, d.published_at,
       ST_XMin(e.b) AS x0, ST_YMin(e.b) AS y0, ST_XMax(e.b) AS x1, ST_YMax(e.b) AS y1
FROM dataset d
LEFT JOIN LATERAL (
  SELECT h.geom::box2d AS b FROM public.hromady h
  WHERE h.hromada = d.hromada AND h.geom IS NOT NULL LIMIT 1
) e ON true
WHERE (:full OR d.published) AND (CAST(:h AS text) IS NULL OR d.hromada = :h)
ORDER BY d.layer, d.hromada
