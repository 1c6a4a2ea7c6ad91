-- The extent of each dataset (layer × громада) grows with the features written into it (migration
-- 0014): one box per dataset in dataset.extent, GiST-indexed, which vector tiles use to find the datasets
-- a tile meets (gisplan/publish/tiles/datasets_met.sql). The layer's table and name, and the geometry a
-- tile draws (over the transition table "n"), are filled in by gisplan.db.derived.dataset_extent_sql.
--
-- After each INSERT or UPDATE statement, per громада of the new rows: the box of their geometries is
-- added to the dataset's box unless the box already holds it (then nothing is written: an edit inside
-- the dataset's area costs one index read). Deletes and moves never shrink the box: it may cover more
-- than the features, never less (gisplan.publish.tiles.extents.recompute shrinks it back). The
-- dataset row exists: gisplan_count_insert/_update (earlier by name, so fired first) made it.

CREATE OR REPLACE FUNCTION "{table}_grow_extent"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE dataset d
  SET extent = CASE WHEN d.extent IS NULL THEN g.box ELSE ST_Envelope(ST_Collect(d.extent, g.box)) END
  FROM (SELECT n.hromada, ST_SetSRID(ST_Extent({geometry})::geometry, 4326) AS box
        FROM new_rows n GROUP BY n.hromada) g
  WHERE d.layer = '{layer}' AND d.hromada = g.hromada AND g.box IS NOT NULL
    AND (d.extent IS NULL OR NOT d.extent ~ g.box);
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS gisplan_extent_insert ON "{table}";
CREATE TRIGGER gisplan_extent_insert AFTER INSERT ON "{table}"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "{table}_grow_extent"();

DROP TRIGGER IF EXISTS gisplan_extent_update ON "{table}";
CREATE TRIGGER gisplan_extent_update AFTER UPDATE ON "{table}"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "{table}_grow_extent"();
