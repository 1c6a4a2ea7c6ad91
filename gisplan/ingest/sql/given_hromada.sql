-- --hromada: rows that name no громада belong to the one given.
UPDATE ingest_stage SET hromada = :hromada WHERE hromada IS NULL;
