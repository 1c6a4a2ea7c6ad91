-- One Mapbox Vector Tile layer from a pub view (or, for a signed-in reader, the full table).
-- Filled by gisplan.publish.tiles.encode:
--   {columns}  the attribute columns the caller may see, numbers and booleans as such, the rest as text;
--   {geometry} the geometry drawn (the layer's own, else its extra geometries);
--   {bbox}     any geometry column meets :west,:south,:east,:north (the tile with its buffer, degrees),
--              so the spatial index of the table is used through the view;
--   {relation} pub."layer" or public."table"; {where} the громада condition or true.
-- Geometries are simplified in degrees first (:tolerance, per zoom), then transformed and clipped.
WITH tile AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS envelope,
           ST_MakeEnvelope(:west, :south, :east, :north, 4326) AS area
), features AS (
    SELECT {columns},
           ST_AsMVTGeom(ST_Transform(ST_Simplify({geometry}, :tolerance, true), 3857),
                        tile.envelope, :extent, :buffer, true) AS mvt_geom
    FROM {relation} t, tile
    WHERE {bbox} AND {where}
)
SELECT ST_AsMVT(features.*, :name, :extent, 'mvt_geom') AS mvt, count(*) AS n
FROM features
WHERE mvt_geom IS NOT NULL
