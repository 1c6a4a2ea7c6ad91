-- One failed sign-in (api/login_throttle.py), counted for the user name and for the client address
-- in one statement, for every worker process alike. Each key keeps the times of its failures within
-- :window seconds (a sliding window); the failure that reaches its limit locks the key for :lockout
-- seconds and starts the count afresh. The new count is computed in DO UPDATE from the locked row,
-- so concurrent failures (two processes, parallel requests) are all counted. Rows are locked user
-- key first, then address key, in every statement: no deadlock between them.
-- :now NULL = the database's clock; an instance with its own clock (tests) passes it.
INSERT INTO login_failure AS f (namespace, key, times, at, max_failures, locked_until, expires)
SELECT CAST(:namespace AS text), k.key,
       CASE WHEN k.lim <= 1 THEN CAST('{}' AS double precision[]) ELSE ARRAY[c.now] END,
       c.now, k.lim,
       CASE WHEN k.lim <= 1 THEN c.now + CAST(:lockout AS double precision) END,
       c.now + greatest(CAST(:window AS double precision), CAST(:lockout AS double precision))
FROM (VALUES (1, CAST(:user_key AS text), CAST(:user_limit AS integer)),
             (2, CAST(:address_key AS text), CAST(:address_limit AS integer))) k(n, key, lim)
CROSS JOIN (SELECT coalesce(CAST(:now AS double precision), extract(epoch FROM clock_timestamp())) AS now) c
ORDER BY k.n
ON CONFLICT (namespace, key) DO UPDATE SET
    times = CASE
        WHEN cardinality(ARRAY(SELECT t FROM unnest(f.times) t WHERE t > EXCLUDED.at - :window)) + 1
             >= EXCLUDED.max_failures
        THEN CAST('{}' AS double precision[])
        ELSE ARRAY(SELECT t FROM unnest(f.times) t WHERE t > EXCLUDED.at - :window) || EXCLUDED.at END,
    locked_until = CASE
        WHEN cardinality(ARRAY(SELECT t FROM unnest(f.times) t WHERE t > EXCLUDED.at - :window)) + 1
             >= EXCLUDED.max_failures
        THEN EXCLUDED.at + :lockout
        ELSE f.locked_until END,
    at = EXCLUDED.at,
    max_failures = EXCLUDED.max_failures,
    expires = greatest(EXCLUDED.expires, f.locked_until)
