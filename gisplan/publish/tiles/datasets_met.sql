-- The state of one tile: the datasets of one layer a tile scope may read whose box (dataset.extent,
-- migration 0014, grown by triggers with every feature written) meets the tile's area (:west … :north,
-- degrees, with the buffer). One indexed query whose cost follows the datasets met, not the layer's
-- datasets: the GiST index on dataset.extent for a small tile, the primary key (layer, hromada) when
-- the tile covers most of the country or the scope is one громада.
-- :full true = a signed-in reader of :hromada (unpublished datasets too); :hromada NULL = every громада.
-- One row back: how many datasets meet the tile and a digest of their (громада, change counter) pairs,
-- the tile's version (gisplan.publish.tiles.state).
SELECT count(*) AS datasets,
       md5(coalesce(string_agg(d.hromada || ':' || d.change_count, ',' ORDER BY d.hromada), '')) AS counters
FROM dataset d
WHERE d.layer = :layer
  AND (d.published OR CAST(:full AS boolean))
  AND (CAST(:hromada AS text) IS NULL OR d.hromada = CAST(:hromada AS text))
  AND d.extent && ST_MakeEnvelope(:west, :south, :east, :north, 4326)
