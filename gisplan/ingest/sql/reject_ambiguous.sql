-- A key that matches several features of the layer cannot say which one to update.
SELECT s.row_no, '{key_name}' AS field,
       '{key_name} ' || quote_literal(s.{key_name}::text) || ' matches ' || count(*) || ' features of the layer in громада '
       || s.hromada || '; make them unique first' AS reason
FROM ingest_stage s
JOIN public."{table}" t ON {match}
GROUP BY s.row_no, s.{key}, s.hromada
HAVING count(*) > 1
ORDER BY s.row_no;
