-- Building the secondary indexes again after a large INSERT: memory enough to sort a few hundred
-- thousand rows at once (for this transaction only).
SET LOCAL maintenance_work_mem = '256MB';
