-- --hromada: rows whose geometry lies farther than :tolerance_m metres outside that громада's
-- boundary (the tolerance absorbs the simplification of the stored boundaries).
SELECT s.row_no, 'geometry' AS field,
       'lies ' || round((ST_Distance(h.geom::geography, s.probe::geography) / 1000)::numeric, 1)
       || ' km outside громада ' || h.hromada || coalesce(' (' || h.name || ')', '')
       || coalesce(', in громада ' || (SELECT o.hromada || ' (' || o.name || ')' FROM public.hromady o
                                       WHERE o.removed_at IS NULL AND ST_Intersects(o.geom, s.probe)
                                       LIMIT 1), '') AS reason
FROM ingest_stage s
JOIN public.hromady h ON h.hromada = s.hromada AND h.removed_at IS NULL
WHERE s.hromada = :hromada AND s.probe IS NOT NULL
  AND NOT ST_Intersects(h.geom, s.probe)
  AND NOT ST_DWithin(h.geom::geography, s.probe::geography, :tolerance_m)
ORDER BY s.row_no;
