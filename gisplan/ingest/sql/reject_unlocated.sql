-- Rows whose громада is neither given nor found by location.
SELECT row_no, 'hromada' AS field,
       CASE WHEN s.probe IS NULL
            THEN 'no громада given and no geometry to find it by (give --hromada or a hromada column)'
            ELSE 'no громада given, and the geometry lies in no громада boundary loaded'
       END AS reason
FROM ingest_stage s
WHERE s.hromada IS NULL
ORDER BY row_no;
