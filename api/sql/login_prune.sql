-- Rows whose failures have left the window and whose lockout has passed say nothing: forget them.
DELETE FROM login_failure
WHERE namespace = :namespace
  AND expires < coalesce(CAST(:now AS double precision), extract(epoch FROM clock_timestamp()))
