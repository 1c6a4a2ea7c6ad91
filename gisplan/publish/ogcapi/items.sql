-- Features of one collection in id order: keyset paging on the primary key, no count, no offset.
-- Filled by gisplan.publish.ogcapi.items from the catalogue and gisplan.publish.sources:
--   {columns}   the attribute columns the caller may see (the pub view's, or the full table's
--               for a signed-in reader of the громада);
--   {geometry}  the GeoJSON text of the main geometry in the output CRS (PostGIS writes it, the
--               response splices it unparsed); {extras} the same for the extra geometries;
--   {relation}  pub."layer" or public."layer";
--   {where}     громада, bbox, datetime, property and CQL2 conditions, every value bound;
--   {direction} ASC, or DESC for a page before a cursor.
SELECT {columns}, {geometry} AS "__geometry"{extras}
FROM {relation} t
WHERE {where}
ORDER BY t.id {direction}
LIMIT :limit
