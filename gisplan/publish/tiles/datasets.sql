-- The datasets of one layer a tile scope may read, with their change counters (dataset table).
-- :full true = a signed-in reader of :hromada (unpublished datasets too); :hromada NULL = every громада.
-- One row per dataset; the tile's state is the counters of those whose extent meets the tile.
SELECT d.hromada, d.change_count
FROM dataset d
WHERE d.layer = :layer
  AND (d.published OR CAST(:full AS boolean))
  AND (CAST(:hromada AS text) IS NULL OR d.hromada = CAST(:hromada AS text))
ORDER BY d.hromada
