-- CNAP_REACH: within :distance_m of CNAP points of :kinds in service on :as_of, within the boundary.
SELECT ST_AsBinary(ST_Intersection(
  (SELECT ST_Union(ST_Buffer(geography(c.geom), :distance_m, CAST(:quad_segs AS integer))::geometry)
     FROM cnap_points c WHERE c.hromada = :hromada AND {{in_service c}} AND c.kind = ANY(CAST(:kinds AS text[]))),
  {{boundary}})) AS cover, ST_AsBinary({{boundary}}) AS boundary
