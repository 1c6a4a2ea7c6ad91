-- Rows in (or features moved out of) a громада the user may not edit.
SELECT s.row_no, 'hromada' AS field,
       'you may not change data of громада ' || coalesce(t.hromada, s.hromada) AS reason
FROM ingest_stage s
LEFT JOIN public."{table}" t ON t.id = s.match_id
WHERE NOT (s.hromada = ANY(:allowed)) OR (t.id IS NOT NULL AND NOT (t.hromada = ANY(:allowed)))
ORDER BY s.row_no;
