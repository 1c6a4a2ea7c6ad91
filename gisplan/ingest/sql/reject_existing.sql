-- Append mode: a row whose code is already used in its громада would make the code ambiguous.
SELECT s.row_no, '{key_name}' AS field,
       '{key_name} ' || quote_literal(s.{key_name}::text) || ' already exists in громада ' || s.hromada
       || ' (feature ' || s.match_id || '); import with --mode upsert to update it' AS reason
FROM ingest_stage s
WHERE s.match_id IS NOT NULL
ORDER BY s.row_no;
