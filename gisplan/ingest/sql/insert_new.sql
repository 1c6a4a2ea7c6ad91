-- New features, in the file's order; defaults fill what the file leaves empty.
INSERT INTO public."{table}" ({columns})
SELECT {values}
FROM ingest_stage s
WHERE s.match_id IS NULL
ORDER BY s.row_no;
