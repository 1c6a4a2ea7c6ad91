-- The boxes (lon/lat) of several gap layers at once, each around the boundaries of its own громади:
-- :wanted is a JSON object {"gap.<gap>": ["UA…", …], …} (the громади one caller sees each gap for).
-- One statement for the whole collection list: each громада's boundary is read once, however many
-- gap layers cover it (a query per gap layer, or per громада of each gap layer, read the same
-- boundaries again and again: 8 × 1 466 at national scale). A громада's box is geom::box2d, exactly
-- as hromada_extent (gisplan/publish/metadata/records.py) and collections.sql compute it.
WITH wanted AS (
    SELECT w.name, c.code
    FROM jsonb_each(CAST(:wanted AS jsonb)) AS w(name, codes),
         jsonb_array_elements_text(w.codes) AS c(code)
), boxes AS (
    SELECT h.hromada, h.geom::box2d AS b
    FROM public.hromady h
    WHERE h.hromada IN (SELECT code FROM wanted) AND h.geom IS NOT NULL
)
SELECT w.name, min(ST_XMin(b.b)) AS west, min(ST_YMin(b.b)) AS south,
       max(ST_XMax(b.b)) AS east, max(ST_YMax(b.b)) AS north
FROM wanted w
JOIN boxes b ON b.hromada = w.code
GROUP BY w.name
