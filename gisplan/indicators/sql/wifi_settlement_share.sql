-- code: WIFI_SETTLEMENT_SHARE
-- name:
--   uk: Частка населених пунктів ТГ з відкритою Wi-Fi зоною
--   en: Share of settlements with an open Wi-Fi zone
-- unit: percent
-- canonical: WIFI_ZONES
-- inputs: [wifi_zones, settlements]
-- parameters:
--   access: open
-- method:
--   uk: >-
--     100 × населені пункти, що діють на дату, з ≥ 1 діючою зоною Wi-Fi з вільним доступом / усі
--     населені пункти громади. Зона належить населеному пункту, якщо лежить у його межі; для
--     населеного пункту без межі — за кодом КАТОТТГ зони.
--   en: >-
--     100 × settlements in service on the date with ≥ 1 open Wi-Fi zone in service / all settlements
--     of the громада. A zone belongs to a settlement when it lies inside its polygon; for a
--     settlement without a polygon, by the zone's КАТОТТГ code.
WITH zone AS (
  SELECT w.geom, w.katottg FROM wifi_zones w
  WHERE w.hromada = :hromada AND {{in_service w}} AND w.access = :access
),
settlement AS (
  SELECT p.katottg, p.geom AS polygon FROM settlements p WHERE p.hromada = :hromada AND {{in_service p}}
),
marked AS (
  SELECT t.polygon IS NOT NULL AS by_polygon,
         EXISTS (SELECT 1 FROM zone z
                 WHERE CASE WHEN t.polygon IS NOT NULL THEN ST_Intersects(z.geom, t.polygon)
                            ELSE z.katottg = t.katottg END) AS marked
  FROM settlement t
)
SELECT :hromada AS territory,
       CASE WHEN count(*) > 0 THEN 100.0 * count(*) FILTER (WHERE marked) / count(*) END AS value,
       count(*) FILTER (WHERE marked) AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) = 0 THEN 'no_settlements' END AS reason,
       jsonb_build_object('zones', (SELECT count(*) FROM zone),
                          'by_polygon', count(*) FILTER (WHERE by_polygon),
                          'by_code', count(*) FILTER (WHERE NOT by_polygon)) AS details
FROM marked
