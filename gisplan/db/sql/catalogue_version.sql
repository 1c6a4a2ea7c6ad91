-- The catalogue version (issue 17): one row that moves whenever what the services list changes — a
-- dataset published, withdrawn, re-published, added or removed, its metadata record renamed, or the
-- territory (громада names) or the громада boundaries (the boxes of the capabilities and collection
-- lists) reloaded or edited. Worker processes key what they keep of the catalogue by it
-- (gisplan/publish/catalogue_version.py): one primary-key read per request instead of a timer, and a
-- change made through any process is seen by all on their next request.
--
-- Feature edits do not move it (they move their dataset's change counter, which tiles and downloads
-- read): the ON CONFLICT … DO UPDATE of gisplan_count_changes() touches only change_count/changed_at,
-- which the WHEN clause below ignores, so edits never queue on this row's lock.
CREATE OR REPLACE FUNCTION gisplan_bump_catalogue_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalogue_version SET version = version + 1;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS catalogue_version_rows ON dataset;
CREATE TRIGGER catalogue_version_rows AFTER INSERT OR DELETE ON dataset
  FOR EACH ROW EXECUTE FUNCTION gisplan_bump_catalogue_version();

DROP TRIGGER IF EXISTS catalogue_version_publication ON dataset;
CREATE TRIGGER catalogue_version_publication AFTER UPDATE ON dataset
  FOR EACH ROW WHEN (OLD.published IS DISTINCT FROM NEW.published
                     OR OLD.published_at IS DISTINCT FROM NEW.published_at
                     OR OLD.metadata_uuid IS DISTINCT FROM NEW.metadata_uuid
                     OR OLD.layer IS DISTINCT FROM NEW.layer
                     OR OLD.hromada IS DISTINCT FROM NEW.hromada)
  EXECUTE FUNCTION gisplan_bump_catalogue_version();

DROP TRIGGER IF EXISTS catalogue_version_truncate ON dataset;
CREATE TRIGGER catalogue_version_truncate AFTER TRUNCATE ON dataset
  FOR EACH STATEMENT EXECUTE FUNCTION gisplan_bump_catalogue_version();

DROP TRIGGER IF EXISTS catalogue_version_territory ON territory;
CREATE TRIGGER catalogue_version_territory AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON territory
  FOR EACH STATEMENT EXECUTE FUNCTION gisplan_bump_catalogue_version();

-- the boundaries (public.hromady, the layer of the громада boxes every capabilities document and
-- collection list shows): edited or reloaded rarely, by an administrator
DO $$
BEGIN
  IF to_regclass('public.hromady') IS NOT NULL THEN
    DROP TRIGGER IF EXISTS catalogue_version_boundaries ON public.hromady;
    CREATE TRIGGER catalogue_version_boundaries AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON public.hromady
      FOR EACH STATEMENT EXECUTE FUNCTION gisplan_bump_catalogue_version();
  END IF;
END
$$;
