-- The state an anonymous answer is drawn from (gisplan/publish/response_cache.py): the published
-- datasets of the given layers of the scope's громада (every громада when :hromada is NULL). An edit
-- moves change_count and changed_at; a publication (or a withdrawal and publication again) moves
-- published_at; a withdrawal moves the count. Read by the primary key (layer, hromada) — one probe
-- per layer for a громада, the layer's rows nationally — and never a feature table.
SELECT count(*) AS datasets,
       coalesce(sum(change_count), 0) AS changes,
       max(changed_at) AS changed_at,
       max(published_at) AS published_at
FROM dataset
WHERE published
  AND layer = ANY(CAST(:layers AS text[]))
  AND (CAST(:hromada AS text) IS NULL OR hromada = CAST(:hromada AS text))
