-- The anonymous face of one layer: rows of published datasets, public rows, public fields.
-- {layer}, {table}, {columns} and {row_filter} come from the catalogue (gisplan.db.derived).
DROP VIEW IF EXISTS pub."{layer}" CASCADE;
CREATE VIEW pub."{layer}" AS
SELECT {columns}
FROM public."{table}" t
JOIN public.dataset d ON d.layer = '{layer}' AND d.hromada = t.hromada AND d.published
WHERE t.public AND ({row_filter});
COMMENT ON VIEW pub."{layer}" IS '{comment}';
