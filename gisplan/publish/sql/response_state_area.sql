-- The state a map image is drawn from (gisplan/publish/response_cache.py, AnswerState with an area):
-- the published datasets of the given layers (of :hromada, or every громада when NULL) whose box
-- (dataset.extent, migration 0014: grown by triggers with every feature written, so it always holds
-- every feature) meets the area the renderer reads — the image's bbox widened by its buffer, in
-- degrees. A dataset edited elsewhere keeps the image's state; a feature moved into the area grows its
-- dataset's box into it; one moved out or deleted moves the counter of a dataset still met.
SELECT count(*) AS datasets,
       coalesce(sum(change_count), 0) AS changes,
       max(changed_at) AS changed_at,
       max(published_at) AS published_at
FROM dataset
WHERE published
  AND layer = ANY(CAST(:layers AS text[]))
  AND (CAST(:hromada AS text) IS NULL OR hromada = CAST(:hromada AS text))
  AND extent && ST_MakeEnvelope(:west, :south, :east, :north, 4326)
