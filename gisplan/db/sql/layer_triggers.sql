-- Triggers of one layer table; {table}, {history}, {layer} and {columns} are filled in from the
-- catalogue by gisplan.db.derived. Previous versions go to the history table with what ended them.

CREATE OR REPLACE FUNCTION "{table}_keep_history"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "{history}" ({columns}, operation, changed_by, changed_at)
  SELECT {columns}, TG_OP, gisplan_current_user(), now() FROM old_rows;
  RETURN NULL;
END
$$;

-- The WHEN clause skips rows that already are what gisplan_before_insert() would make of them
-- (version 1, created and updated now, by the current user), so the result is the same; a bulk
-- import that sets these columns itself spares a PL/pgSQL call per row.
DROP TRIGGER IF EXISTS gisplan_before_insert ON "{table}";
CREATE TRIGGER gisplan_before_insert BEFORE INSERT ON "{table}"
  FOR EACH ROW
  WHEN (NEW.version IS DISTINCT FROM 1 OR NEW.created_at IS DISTINCT FROM now()
        OR NEW.updated_at IS DISTINCT FROM now() OR NEW.updated_by IS DISTINCT FROM gisplan_current_user())
  EXECUTE FUNCTION gisplan_before_insert();

DROP TRIGGER IF EXISTS gisplan_before_update ON "{table}";
CREATE TRIGGER gisplan_before_update BEFORE UPDATE ON "{table}"
  FOR EACH ROW EXECUTE FUNCTION gisplan_before_update();

DROP TRIGGER IF EXISTS gisplan_history_update ON "{table}";
CREATE TRIGGER gisplan_history_update AFTER UPDATE ON "{table}"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "{table}_keep_history"();

DROP TRIGGER IF EXISTS gisplan_history_delete ON "{table}";
CREATE TRIGGER gisplan_history_delete AFTER DELETE ON "{table}"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "{table}_keep_history"();

DROP TRIGGER IF EXISTS gisplan_count_insert ON "{table}";
CREATE TRIGGER gisplan_count_insert AFTER INSERT ON "{table}"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gisplan_count_changes('{layer}');

DROP TRIGGER IF EXISTS gisplan_count_update ON "{table}";
CREATE TRIGGER gisplan_count_update AFTER UPDATE ON "{table}"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION gisplan_count_changes('{layer}');

DROP TRIGGER IF EXISTS gisplan_count_delete ON "{table}";
CREATE TRIGGER gisplan_count_delete AFTER DELETE ON "{table}"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gisplan_count_changes('{layer}');
