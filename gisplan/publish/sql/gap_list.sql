-- The gap collections an anonymous collection list shows, with their extents, in one statement:
-- :needs is a JSON object {"gap.<gap>": ["settlements", "shelters", …], …} (the layers each gap layer
-- is computed from); a gap layer is shown for the громади where every one of those layers is published
-- (the rule of gisplan/publish/choropleth_layers.py `eligible`), in :hromada (NULL: every громада).
-- Each row: the gap layer, its громади (sorted) and the box around their boundaries (geom::box2d of
-- each громада's boundary rows, as gap_extents.sql). Gap layers shown nowhere give no row.
-- Nationally this replaces ~11 700 dataset rows sorted and digested in Python, then one extent
-- query per gap layer (and before that, one per громада of each gap layer: 8 × 1 466).
WITH needs AS (
    SELECT g.name, array_agg(n.layer) AS layers
    FROM jsonb_each(CAST(:needs AS jsonb)) AS g(name, layers),
         jsonb_array_elements_text(g.layers) AS n(layer)
    GROUP BY g.name
), published AS (
    SELECT d.hromada, array_agg(d.layer) AS layers
    FROM dataset d
    WHERE d.published
      AND d.layer IN (SELECT unnest(layers) FROM needs)
      AND (CAST(:hromada AS text) IS NULL OR d.hromada = CAST(:hromada AS text))
    GROUP BY d.hromada
), covered AS (
    SELECT n.name, p.hromada
    FROM needs n
    JOIN published p ON p.layers @> n.layers
), boxes AS (
    SELECT x.hromada, min(ST_XMin(x.b)) AS west, min(ST_YMin(x.b)) AS south,
           max(ST_XMax(x.b)) AS east, max(ST_YMax(x.b)) AS north
    FROM (SELECT h.hromada, h.geom::box2d AS b FROM public.hromady h
          WHERE h.geom IS NOT NULL AND h.hromada IN (SELECT hromada FROM covered)) x
    GROUP BY x.hromada
)
SELECT c.name, array_agg(c.hromada ORDER BY c.hromada) AS hromady,
       min(b.west) AS west, min(b.south) AS south, max(b.east) AS east, max(b.north) AS north
FROM covered c
LEFT JOIN boxes b ON b.hromada = c.hromada
GROUP BY c.name
