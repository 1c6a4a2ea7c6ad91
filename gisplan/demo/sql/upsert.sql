-- Upsert demo rows into one layer table, matched by (hromada, code). Filled in by gisplan.demo.common:
-- {table} the layer table, {columns} the quoted columns given, {set_columns} "col = s.col, …".
-- :rows is a JSON array of objects named like the table's columns; jsonb_populate_recordset gives
-- them the table's types (geometries as hex EWKB with SRID). Only rows the loader wrote last
-- (updated_by = :owner) are updated: a row someone else has edited since is kept as it is and
-- listed as 'kept'. Rows that did not change are skipped by the layer's BEFORE UPDATE trigger, so
-- 'updated' lists real changes only.
WITH s AS (
  SELECT * FROM jsonb_populate_recordset(CAST(NULL AS "{table}"), CAST(:rows AS jsonb))
), updated AS (
  UPDATE "{table}" t SET {set_columns}
  FROM s WHERE t.hromada = s.hromada AND t.code = s.code AND t.updated_by IS NOT DISTINCT FROM :owner
  RETURNING t.hromada, t.code
), inserted AS (
  INSERT INTO "{table}" ({columns})
  SELECT {columns} FROM s
  WHERE NOT EXISTS (SELECT 1 FROM "{table}" t WHERE t.hromada = s.hromada AND t.code = s.code)
  RETURNING hromada, code
)
SELECT DISTINCT 'updated' AS what, hromada, code, NULL AS editor FROM updated
UNION ALL
SELECT 'inserted', hromada, code, NULL FROM inserted
UNION ALL
SELECT DISTINCT ON (t.hromada, t.code) 'kept', t.hromada, t.code, t.updated_by
FROM "{table}" t JOIN s ON t.hromada = s.hromada AND t.code = s.code
WHERE t.updated_by IS DISTINCT FROM :owner;
