-- Clip generated geometries to their громада boundary (the hromady layer), keeping the parts of
-- dimension :dim (1 lines, 2 polygons), as a Multi geometry with coordinates reduced to 1e-6°
-- (the same result on every run). A line that lies wholly inside is only snapped to the grid, so
-- a route that crosses itself is not cut into pieces at the crossing. :rows is a JSON array of
-- {row, hromada, wkb (hex EWKB)}; wkb comes back NULL when nothing of that dimension is left.
SELECT x.row,
       CASE WHEN ST_IsEmpty(c.g) THEN NULL ELSE encode(ST_AsEWKB(ST_Multi(c.g)), 'hex') END AS wkb
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(row integer, hromada text, wkb text)
JOIN hromady h ON h.hromada = x.hromada AND h.code = x.hromada
CROSS JOIN LATERAL (SELECT ST_GeomFromEWKB(decode(x.wkb, 'hex')) AS g) i
CROSS JOIN LATERAL (
  SELECT ST_CollectionExtract(
           CASE WHEN CAST(:dim AS integer) = 1 AND ST_CoveredBy(i.g, h.geom) THEN ST_SnapToGrid(i.g, 1e-6)
                ELSE ST_ReducePrecision(ST_Intersection(i.g, h.geom), 1e-6) END,
           CAST(:dim AS integer) + 1) AS g
) c;
