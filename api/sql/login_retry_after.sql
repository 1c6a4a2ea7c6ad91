-- Seconds until the user name and the client address are both free of a lockout (≤ 0: go ahead).
SELECT max(locked_until) - coalesce(CAST(:now AS double precision), extract(epoch FROM clock_timestamp()))
FROM login_failure
WHERE namespace = :namespace AND key IN (:user_key, :address_key) AND locked_until IS NOT NULL
