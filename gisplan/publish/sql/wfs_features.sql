-- One page of a WFS feature type (gisplan.publish.wfs_query fills in the braces):
--   {columns}   the attribute columns the caller may see, as t."name"
--   {geometry}  the geometry encoded by PostGIS (ST_AsGML / ST_AsGeoJSON) in the requested CRS
--   {relation}  pub."layer" (anonymous) or public."layer" (a signed-in reader of the громада)
--   {where}     the громада of the endpoint, the BBOX and the resource ids
-- Ordered by the primary key, so STARTINDEX/COUNT pages return every feature exactly once.
SELECT {columns}{comma} {geometry} AS "__geometry"
FROM {relation} t
WHERE {where}
ORDER BY t.id
LIMIT :limit OFFSET :offset
