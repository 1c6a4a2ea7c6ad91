-- Upsert громада boundaries into the hromady layer, one feature per громада (hromada = code).
-- :rows is a JSON array of objects; geometry comes as hex WKB (EPSG:4326). Rows that did not
-- change are skipped by the layer's BEFORE UPDATE trigger, so RETURNING lists real changes only.
WITH v AS (
  SELECT x.*, ST_Multi(ST_GeomFromWKB(decode(x.wkb, 'hex'), 4326)) AS g
  FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(
    code text, name text, name_en text, kind text, admin_centre text, admin_centre_katottg text,
    population integer, population_year integer, population_source text, settlements_count integer,
    oblast text, raion text, source text, wkb text)
), updated AS (
  UPDATE hromady h SET
    name = v.name, name_en = v.name_en, kind = v.kind, admin_centre = v.admin_centre,
    admin_centre_katottg = v.admin_centre_katottg, population = v.population,
    population_year = v.population_year, population_source = v.population_source,
    settlements_count = v.settlements_count, oblast = v.oblast, raion = v.raion, source = v.source,
    area_km2 = round((ST_Area(v.g::geography) / 1e6)::numeric, 2), geom = v.g
  FROM v WHERE h.hromada = v.code AND h.code = v.code
  RETURNING h.hromada
), inserted AS (
  INSERT INTO hromady (code, katottg, hromada, status, name, name_en, kind, admin_centre,
                       admin_centre_katottg, population, population_year, population_source,
                       settlements_count, oblast, raion, source, area_km2, geom)
  SELECT v.code, v.code, v.code, 'active', v.name, v.name_en, v.kind, v.admin_centre,
         v.admin_centre_katottg, v.population, v.population_year, v.population_source,
         v.settlements_count, v.oblast, v.raion, v.source,
         round((ST_Area(v.g::geography) / 1e6)::numeric, 2), v.g
  FROM v WHERE NOT EXISTS (SELECT 1 FROM hromady h WHERE h.hromada = v.code AND h.code = v.code)
  RETURNING hromada
)
SELECT 'updated' AS what, count(*) FROM updated
UNION ALL
SELECT 'inserted', count(*) FROM inserted;
