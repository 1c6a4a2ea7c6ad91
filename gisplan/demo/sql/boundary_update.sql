-- The full-resolution boundary of one demo громада replaces the one in its hromady feature
-- (geometry, area, source). :wkb is hex EWKB. Returns the code when the feature really changed
-- (the BEFORE UPDATE trigger skips an identical row), nothing otherwise.
UPDATE hromady h SET
  geom = ST_Multi(ST_GeomFromEWKB(decode(:wkb, 'hex'))),
  area_km2 = round((ST_Area(ST_GeomFromEWKB(decode(:wkb, 'hex'))::geography) / 1e6)::numeric, 2),
  source = :source
WHERE h.hromada = :code AND h.code = :code
RETURNING h.code;
