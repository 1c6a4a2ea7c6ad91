-- КАТОТТГ codes that are well formed but not in the codifier, or that do not fit together. The
-- distinct codes are checked first, so a large file costs a few lookups per code, not per row.
WITH hromady AS (
  SELECT DISTINCT hromada FROM ingest_stage WHERE hromada IS NOT NULL
), bad_hromady AS (
  SELECT hromada FROM hromady d
  WHERE NOT EXISTS (SELECT 1 FROM public.territory t WHERE t.code = d.hromada AND t.level = 3)
), pairs AS (
  SELECT DISTINCT katottg, hromada FROM ingest_stage WHERE katottg IS NOT NULL
), bad_pairs AS (
  SELECT p.katottg, p.hromada,
         CASE WHEN t.code IS NULL THEN p.katottg || ' is not in the КАТОТТГ codifier'
              ELSE p.katottg || ' (' || t.name || ') belongs to громада ' || coalesce(t.hromada_code, '—')
                   || ', not to ' || p.hromada END AS reason
  FROM pairs p
  LEFT JOIN public.territory t ON t.code = p.katottg
  WHERE t.code IS NULL
     OR (p.hromada IS NOT NULL AND p.katottg <> p.hromada AND t.hromada_code IS DISTINCT FROM p.hromada)
)
SELECT s.row_no, 'hromada' AS field, s.hromada || ' is not a громада in the КАТОТТГ codifier' AS reason
FROM ingest_stage s JOIN bad_hromady b ON b.hromada = s.hromada
UNION ALL
SELECT s.row_no, 'katottg', b.reason
FROM ingest_stage s JOIN bad_pairs b ON b.katottg = s.katottg AND b.hromada IS NOT DISTINCT FROM s.hromada
ORDER BY 1;
