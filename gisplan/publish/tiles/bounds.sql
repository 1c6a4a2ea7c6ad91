-- TileJSON of one layer and tile scope: how many datasets it shows and the box of their boxes
-- (dataset.extent: it holds every feature, it may be larger after deletions until recomputed).
SELECT count(*) AS datasets, ST_XMin(ST_Extent(d.extent)) AS west, ST_YMin(ST_Extent(d.extent)) AS south,
       ST_XMax(ST_Extent(d.extent)) AS east, ST_YMax(ST_Extent(d.extent)) AS north
FROM dataset d
WHERE d.layer = :layer
  AND (d.published OR CAST(:full AS boolean))
  AND (CAST(:hromada AS text) IS NULL OR d.hromada = CAST(:hromada AS text))
