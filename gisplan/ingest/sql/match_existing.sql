-- Which staged rows are features already in the layer ({match} compares the key).
UPDATE ingest_stage s SET match_id = t.id
FROM public."{table}" t
WHERE {match};
