-- The indexes of a layer table that enforce nothing (not the primary key, not unique, not behind a
-- constraint): these may be dropped before a large INSERT and built again after it.
SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = CAST(:table AS regclass)
  AND NOT i.indisprimary AND NOT i.indisunique AND NOT i.indisexclusion
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY c.relname;
