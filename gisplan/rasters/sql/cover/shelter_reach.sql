-- SHELTER_REACH: within :distance_m of the shelters in service on :as_of, within the boundary.
SELECT ST_AsBinary(ST_Intersection(
  (SELECT ST_Union(ST_Buffer(geography(s.geom), :distance_m, CAST(:quad_segs AS integer))::geometry)
     FROM shelters s WHERE s.hromada = :hromada AND {{in_service s}}),
  {{boundary}})) AS cover, ST_AsBinary({{boundary}}) AS boundary
