-- ALERT: the audible area of the sirens in service on :as_of, within the громада's boundary.
SELECT ST_AsBinary(ST_Intersection(
  (SELECT ST_Union(ST_Buffer(geography(a.geom), a.audible_radius_m, CAST(:quad_segs AS integer))::geometry)
     FROM alert_sirens a WHERE a.hromada = :hromada AND {{in_service a}} AND a.audible_radius_m > 0),
  {{boundary}})) AS cover, ST_AsBinary({{boundary}}) AS boundary
