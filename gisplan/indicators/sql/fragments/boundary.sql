-- The громада's boundary (its own row of the hromady layer) on :as_of.
(SELECT ST_Multi(ST_Union(b.geom)) FROM hromady b
  WHERE b.hromada = :hromada AND b.code = :hromada
    AND (b.installed_at IS NULL OR b.installed_at <= :as_of)
    AND (b.removed_at IS NULL OR b.removed_at > :as_of))
