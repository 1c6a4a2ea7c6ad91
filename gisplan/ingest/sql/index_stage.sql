-- After COPY: the probe index for the joins by location, and statistics. JIT compiles nothing
-- worth its start-up time here.
SET LOCAL jit = off;
CREATE INDEX ON ingest_stage USING gist (probe);
ANALYZE ingest_stage;
