-- Codes by location: a row without a громада gets the one whose boundary holds its probe point (a
-- point on its geometry). One join for all rows: each boundary is prepared once and tested against
-- the points its box holds (GiST on both sides).
UPDATE ingest_stage s
SET hromada = h.hromada
FROM public.hromady h
WHERE s.hromada IS NULL AND s.probe IS NOT NULL
  AND h.removed_at IS NULL AND ST_Intersects(h.geom, s.probe);
