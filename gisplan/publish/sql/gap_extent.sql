-- The box (lon/lat) around the boundaries of the громади :codes: the extent of a gap layer as one
-- caller sees it (one indexed read of hromady, however many громади).
SELECT ST_XMin(b) AS west, ST_YMin(b) AS south, ST_XMax(b) AS east, ST_YMax(b) AS north
FROM (SELECT ST_Extent(h.geom) AS b FROM public.hromady h
      WHERE h.hromada = ANY(CAST(:codes AS text[])) AND h.geom IS NOT NULL) s
