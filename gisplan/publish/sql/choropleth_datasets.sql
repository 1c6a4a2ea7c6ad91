-- The datasets a computed (gap / indicator) layer reads, with their change counters: of the
-- громада :hromada (NULL: every громада), published ones only unless :full. The rows say which
-- громади have every input (published) and key the cached result (an edit bumps change_count).
SELECT d.hromada, d.layer, d.change_count, d.published, d.published_at
FROM dataset d
WHERE d.layer = ANY(CAST(:layers AS text[]))
  AND (CAST(:hromada AS text) IS NULL OR d.hromada = :hromada)
  AND (:full OR d.published)
ORDER BY d.hromada, d.layer
