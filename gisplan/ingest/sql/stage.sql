-- The staging table of one import: the layer's own column types, no constraints, gone at the end
-- of the transaction. {columns} are the layer columns the file fills (from the catalogue); probe is
-- a point on each row's geometry (computed while checking), for the joins by location.
CREATE TEMP TABLE ingest_stage ON COMMIT DROP AS
SELECT {columns} FROM public."{table}" WITH NO DATA;
ALTER TABLE ingest_stage ADD COLUMN row_no integer NOT NULL, ADD COLUMN match_id uuid,
  ADD COLUMN probe geometry(Point, 4326);
