-- The extents (EPSG:4326) of some datasets of one layer: every row of the layer table in each
-- громада, published or not, so that a box holds whatever a pub view or the full table can show.
-- {table} and {geometry} come from the catalogue (gisplan.publish.tiles.state); :hromady is a text[].
SELECT t.hromada, ST_XMin(ST_Extent({geometry})) AS west, ST_YMin(ST_Extent({geometry})) AS south,
       ST_XMax(ST_Extent({geometry})) AS east, ST_YMax(ST_Extent({geometry})) AS north
FROM public."{table}" t
WHERE t.hromada = ANY(:hromady)
GROUP BY t.hromada
