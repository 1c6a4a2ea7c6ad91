-- Upsert: matched features take the file's values. Rows that do not really change are skipped by
-- the layer's BEFORE UPDATE trigger (no new version, no history row), so they are not counted.
UPDATE public."{table}" t SET {assignments}
FROM ingest_stage s
WHERE t.id = s.match_id;
