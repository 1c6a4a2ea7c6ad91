-- Codes by location: a row without a settlement code gets the КАТОТТГ code of the settlement of its
-- громада whose boundary holds its probe point. Settlements without a boundary (most have only a
-- point) cannot be found this way, and the code then stays empty.
UPDATE ingest_stage s
SET katottg = st.katottg
FROM public.settlements st
WHERE s.katottg IS NULL AND s.probe IS NOT NULL AND s.hromada IS NOT NULL
  AND st.hromada = s.hromada AND st.geom IS NOT NULL AND st.removed_at IS NULL
  AND ST_Intersects(st.geom, s.probe);
