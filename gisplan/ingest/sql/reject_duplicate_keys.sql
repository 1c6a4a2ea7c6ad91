-- The same key twice in one file: which of the two should win is not ours to guess. The keys given
-- more than once are found by hashing (no sort of the whole file, which is slow with the locale's
-- comparisons); only their rows are then listed, each with the key's first row. The group is the
-- key, with the громада when the key is unique within one (see load.py).
WITH repeated AS (
  SELECT {group_columns}, min(row_no) AS first_row
  FROM ingest_stage s
  WHERE {key} IS NOT NULL
  GROUP BY {group}
  HAVING count(*) > 1
)
SELECT s.row_no, '{key_name}' AS field,
       'duplicate {key_name} ' || quote_literal(s.{key_name}::text) || ' in the file (first at row ' || d.first_row || ')' AS reason
FROM ingest_stage s
JOIN repeated d ON {join}
WHERE s.row_no <> d.first_row
ORDER BY s.row_no;
