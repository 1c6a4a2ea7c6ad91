-- The state an anonymous collection list (/ogcapi/collections, /{code}/ogcapi/collections) is drawn
-- from (gisplan/publish/ogcapi/collections_state.py), in one row:
--
-- * catalogue: the catalogue version row — moved by every publication, withdrawal, re-publication, new
--   or removed dataset, renamed ISO record and territory (names) reload. It decides which collections
--   and gap collections are listed, which громади count in their extents, the громада's name and
--   each dataset's record link;
-- * datasets, changes: the change counters of the datasets whose features the list reads. A list's
--   extents are the boxes of громада boundaries (public.hromady), so the boundary layer's datasets
--   (:boundaries) count whether published or not. Nationally (:hromada NULL, :layers = the boundary
--   layer alone) that is one row per громада of the country however many datasets are published —
--   an edit of any other layer (shelters, schools …) keeps the national list's ETag, since that list
--   shows no feature and no dataset of its own. A громада's list also links each published dataset's
--   download files with their length, so its published datasets of every layer count too (:layers =
--   every layer: one primary-key probe each).
--
-- sum(change_count) only grows (each inserted, updated or deleted feature adds one; a removed dataset
-- row moves the catalogue version), so a committed edit always moves it, whatever the order in which
-- concurrent edits commit. No row is written to keep this state: edits of different громади never
-- wait for each other because of it.
SELECT (SELECT version FROM catalogue_version WHERE id) AS catalogue,
       count(*) AS datasets,
       coalesce(sum(d.change_count), 0) AS changes
FROM dataset d
WHERE d.layer = ANY(CAST(:layers AS text[]))
  AND (CAST(:hromada AS text) IS NULL OR d.hromada = CAST(:hromada AS text))
  AND (d.published OR d.layer = CAST(:boundaries AS text))
