-- How much of each geometry lies inside its own громада's boundary (the hromady layer): the share
-- of its area (polygons), of its length (lines), or 1/0 (points). :rows is a JSON array of
-- {row, hromada, wkb (hex EWKB)}. Rows whose громада has no boundary get 0.
SELECT x.row,
       coalesce(CASE ST_Dimension(q.g)
         WHEN 2 THEN ST_Area(ST_Intersection(q.g, h.geom)) / nullif(ST_Area(q.g), 0)
         WHEN 1 THEN ST_Length(ST_Intersection(q.g, h.geom)) / nullif(ST_Length(q.g), 0)
         ELSE CASE WHEN ST_Covers(h.geom, q.g) THEN 1 ELSE 0 END
       END, 0) AS share
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(row integer, hromada text, wkb text)
CROSS JOIN LATERAL (SELECT ST_GeomFromEWKB(decode(x.wkb, 'hex')) AS g) q
LEFT JOIN hromady h ON h.hromada = x.hromada AND h.code = x.hromada;
