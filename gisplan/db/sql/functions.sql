-- Functions shared by every layer table: the time model's bookkeeping and dataset change counters.
-- Applied by `gisplan db upgrade` after the Alembic migrations (CREATE OR REPLACE: idempotent).

-- Who is changing data: the application tags each transaction with set_config('gisplan.user', …);
-- without a tag (psql, ogr2ogr) the database role is recorded.
CREATE OR REPLACE FUNCTION gisplan_current_user() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('gisplan.user', true), ''), session_user::text)
$$;

-- Before INSERT: a new feature starts at version 1, stamped now by the current user. Restoring a
-- deleted feature (gisplan.restoring = 'on', set by features.restore_feature) keeps the id, the
-- creation time and the version it is given, so its history continues.
CREATE OR REPLACE FUNCTION gisplan_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('gisplan.restoring', true) = 'on' THEN
    NEW.updated_at := now();
    NEW.updated_by := gisplan_current_user();
    RETURN NEW;
  END IF;
  NEW.version := 1;
  NEW.created_at := now();
  NEW.updated_at := NEW.created_at;
  NEW.updated_by := coalesce(NEW.updated_by, gisplan_current_user());
  RETURN NEW;
END
$$;

-- Before UPDATE: the id and creation time never change; a row that did not really change is
-- skipped (no new version, no history row), so re-running a load changes nothing.
CREATE OR REPLACE FUNCTION gisplan_before_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.id := OLD.id;
  NEW.created_at := OLD.created_at;
  NEW.version := OLD.version;
  NEW.updated_at := OLD.updated_at;
  NEW.updated_by := OLD.updated_by;
  IF NEW IS NOT DISTINCT FROM OLD THEN
    RETURN NULL;
  END IF;
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  NEW.updated_by := gisplan_current_user();
  RETURN NEW;
END
$$;

-- After each statement: count changed features per dataset (layer × громада).
-- TG_ARGV[0] is the layer name. One trigger per event, as transition tables require.
CREATE OR REPLACE FUNCTION gisplan_count_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dataset (layer, hromada, change_count, changed_at)
    SELECT TG_ARGV[0], hromada, count(*), now() FROM new_rows GROUP BY hromada
    ON CONFLICT (layer, hromada) DO UPDATE
      SET change_count = dataset.change_count + EXCLUDED.change_count, changed_at = now();
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO dataset (layer, hromada, change_count, changed_at)
    SELECT TG_ARGV[0], hromada, count(*), now()
    FROM (SELECT hromada FROM new_rows
          UNION ALL
          SELECT o.hromada FROM old_rows o JOIN new_rows n USING (id) WHERE o.hromada <> n.hromada) c
    GROUP BY hromada
    ON CONFLICT (layer, hromada) DO UPDATE
      SET change_count = dataset.change_count + EXCLUDED.change_count, changed_at = now();
  ELSE
    INSERT INTO dataset (layer, hromada, change_count, changed_at)
    SELECT TG_ARGV[0], hromada, count(*), now() FROM old_rows GROUP BY hromada
    ON CONFLICT (layer, hromada) DO UPDATE
      SET change_count = dataset.change_count + EXCLUDED.change_count, changed_at = now();
  END IF;
  RETURN NULL;
END
$$;

CREATE SCHEMA IF NOT EXISTS pub;
COMMENT ON SCHEMA pub IS 'What anonymous users may read: published datasets, public rows and fields only';
