-- The same key twice in one file: which of the two should win is not ours to guess.
SELECT row_no, '{key_name}' AS field,
       'duplicate {key_name} ' || quote_literal({key_name}::text) || ' in the file (first at row ' || first_row || ')' AS reason
FROM (
  SELECT row_no, {key}, min(row_no) OVER w AS first_row
  FROM ingest_stage s
  WHERE {key} IS NOT NULL
  WINDOW w AS (PARTITION BY {partition})
) d
WHERE row_no <> first_row
ORDER BY row_no;
