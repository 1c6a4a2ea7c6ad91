-- MOBILE_POPULATION_SHARE: mobile coverage of :technologies in service on :as_of, within the boundary.
SELECT ST_AsBinary(ST_Intersection(
  (SELECT ST_Union(m.geom) FROM mobile_coverage m
    WHERE m.hromada = :hromada AND {{in_service m}} AND m.technology = ANY(CAST(:technologies AS text[]))),
  {{boundary}})) AS cover, ST_AsBinary({{boundary}}) AS boundary
