-- Take one request from a client's token bucket (api/rate_limit.py) in one round trip, for every
-- worker process alike: the bucket is refilled for the time since its last request (:rate tokens a
-- second, up to :capacity), then one token is taken when there is a whole one. The row lock of the
-- upsert orders concurrent requests of one address. :now NULL = the database's clock (shared by the
-- processes); an instance with its own clock (tests) passes it.
INSERT INTO rate_limit_bucket AS b (namespace, key, tokens, at, allowed, expires)
SELECT CAST(:namespace AS text), CAST(:key AS text), CAST(:capacity AS double precision) - 1, c.now, true,
       c.now + CAST(:capacity AS double precision) / CAST(:rate AS double precision)
FROM (SELECT coalesce(CAST(:now AS double precision), extract(epoch FROM clock_timestamp())) AS now) c
ON CONFLICT (namespace, key) DO UPDATE SET
    tokens = CASE WHEN least(:capacity, b.tokens + greatest(0, EXCLUDED.at - b.at) * :rate) >= 1
                  THEN least(:capacity, b.tokens + greatest(0, EXCLUDED.at - b.at) * :rate) - 1
                  ELSE least(:capacity, b.tokens + greatest(0, EXCLUDED.at - b.at) * :rate) END,
    allowed = least(:capacity, b.tokens + greatest(0, EXCLUDED.at - b.at) * :rate) >= 1,
    at = greatest(EXCLUDED.at, b.at),
    expires = EXCLUDED.expires
RETURNING allowed, tokens
