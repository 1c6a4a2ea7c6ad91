-- One row that moves whenever the datasets of datasets.sql (one layer, one tile scope) or their
-- change counters move: counters only grow, a publication stamps published_at, a withdrawal drops
-- the count. A tile reads this aggregate (the layer's rows by the primary key, one row back) and
-- reads the datasets themselves only when it moved (gisplan.publish.tiles.state).
SELECT count(*) AS datasets, coalesce(sum(d.change_count), 0) AS changes,
       max(d.changed_at) AS changed_at, max(d.published_at) AS published_at
FROM dataset d
WHERE d.layer = :layer
  AND (d.published OR CAST(:full AS boolean))
  AND (CAST(:hromada AS text) IS NULL OR d.hromada = CAST(:hromada AS text))
