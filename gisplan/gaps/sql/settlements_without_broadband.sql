-- gap: settlements_without_broadband
-- name:
--   uk: Населені пункти без фіксованого широкосмугового доступу
--   en: Settlements without fixed broadband
-- inputs: [settlements]
-- counts: settlements
-- method:
--   uk: Населені пункти, що існують на дату, з ознакою «широкосмуговий доступ» = ні (невідомо — не показано, лише враховано).
--   en: Settlements existing on the date whose broadband_fixed is false (unknown ones are counted, not shown).
SELECT p.katottg AS territory, p.name, p.population,
       coalesce(p.geom, p.point) AS geom,
       jsonb_build_object('broadband_fixed', p.broadband_fixed, 'located', p.geom IS NOT NULL OR p.point IS NOT NULL) AS properties
FROM settlements p
WHERE p.hromada = :hromada AND {{in_service p}} AND p.broadband_fixed = false
ORDER BY p.population DESC NULLS LAST, p.katottg
