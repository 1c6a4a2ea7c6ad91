-- Every box of one layer's datasets computed again from the layer table (gisplan.publish.tiles.extents):
-- the triggers only grow a box, this shrinks it back to the features after deletions or moves; a
-- dataset without features gets none. {table} and {geometry} come from the catalogue; :layer is its name.
UPDATE dataset d SET extent = e.box
FROM (SELECT h.hromada,
             (SELECT ST_SetSRID(ST_Extent({geometry})::geometry, 4326)
              FROM public."{table}" t WHERE t.hromada = h.hromada) AS box
      FROM dataset h WHERE h.layer = :layer) e
WHERE d.layer = :layer AND d.hromada = e.hromada
  AND NOT (d.extent IS NOT DISTINCT FROM e.box)
