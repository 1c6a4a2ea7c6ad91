-- Upsert and replace by key: rows without the key, and (by id) ids that are no feature of the layer.
SELECT row_no, '{key_name}' AS field,
       CASE WHEN {key_name} IS NULL THEN 'empty; every row needs a {key} to upsert by {key_name}'
            ELSE 'no feature of the layer has this id (deleted? restore it first)' END AS reason
FROM ingest_stage s
WHERE {key} IS NULL OR ({by_id} AND match_id IS NULL)
ORDER BY row_no;
