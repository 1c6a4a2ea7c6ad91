-- Which demo громада covers each point? :rows is a JSON array of {row, wkb (hex EWKB)};
-- :hromady the demo громада codes. Boundaries are those of the hromady layer (full resolution
-- for the demo громади once gisplan.demo.boundaries has run). Points in no demo громада are absent.
SELECT DISTINCT ON (x.row) x.row, h.hromada
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(row integer, wkb text)
JOIN hromady h ON h.hromada = ANY(:hromady) AND h.code = h.hromada
 AND ST_Covers(h.geom, ST_GeomFromEWKB(decode(x.wkb, 'hex')))
ORDER BY x.row, h.hromada;
