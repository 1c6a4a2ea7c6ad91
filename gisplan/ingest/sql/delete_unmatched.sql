-- Replace: features of the громади concerned that the file does not list are deleted (into history).
DELETE FROM public."{table}" t
WHERE t.hromada = ANY(:scope)
  AND NOT EXISTS (SELECT 1 FROM ingest_stage s WHERE s.match_id = t.id);
