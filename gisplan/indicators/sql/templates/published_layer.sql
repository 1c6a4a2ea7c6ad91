-- Is one layer of the громада public on :as_of: its dataset published by that date (the date of the
-- last publication; the platform keeps no earlier ones) and at least one row in the layer's `pub`
-- view (public rows of published datasets) that exists on that date. {table} is the layer's view.
SELECT coalesce(d.published AND (d.published_at AT TIME ZONE 'Europe/Kyiv')::date <= :as_of, false)
         AS published,
       d.published_at,
       (SELECT count(*) FROM pub.{table} t WHERE t.hromada = :hromada AND {{exists_on t}}) AS public_rows
FROM (SELECT 1) AS one
LEFT JOIN dataset d ON d.layer = :layer AND d.hromada = :hromada
