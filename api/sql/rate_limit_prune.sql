-- Buckets full again (no request for capacity ÷ rate seconds) say nothing: forget them. A sequential
-- scan of a table of the addresses seen in the last minute or so, at most once a minute per process.
DELETE FROM rate_limit_bucket
WHERE namespace = :namespace
  AND expires < coalesce(CAST(:now AS double precision), extract(epoch FROM clock_timestamp()))
