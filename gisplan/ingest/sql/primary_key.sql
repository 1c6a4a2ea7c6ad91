-- The primary key of a layer table (name and definition, e.g. "PRIMARY KEY (id)"), which a large
-- import drops with the secondary indexes and adds again after the INSERT: one sorted build of its
-- index instead of a random-order insertion per new row (new ids are random uuids).
SELECT k.conname AS name, pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k
WHERE k.conrelid = CAST(:table AS regclass) AND k.contype = 'p';
