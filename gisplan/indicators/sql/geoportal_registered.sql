-- code: GEOPORTAL_REGISTERED
-- name:
--   uk: Частка оприлюднених наборів геопросторових даних громади, зареєстрованих на національному геопорталі без змін після реєстрації
--   en: Share of the громада's published datasets registered with the national geoportal and unchanged since
-- unit: percent
-- inputs: [hromady, settlements, starosta_districts, schools, health_facilities, social_objects, cnap_points,
--          wifi_zones, air_sensors, alert_sirens, mobile_coverage, tourist_objects, tourist_routes, shelters,
--          cctv_cameras, investment_objects, it_hubs, planning_documents]
-- publication: true
-- registration: true
-- reasons:
--   no_published:
--     uk: громада не оприлюднила жодного набору даних на {as_of}
--     en: the громада had published no dataset on {as_of}
-- method:
--   uk: >-
--     100 × набори (шар × громада), оприлюднені на дату, що зареєстровані на національному геопорталі
--     до дати і не змінювалися після реєстрації / усі набори, оприлюднені на дату. Статус реєстрації
--     веде громада (POST /api/datasets/{layer}/{hromada}/registration); набір «змінено після
--     реєстрації», коли його лічильник змін перевищив зареєстрований, а остання зміна — не пізніше дати.
--   en: >-
--     100 × datasets (layer × громада) published on the date that were registered with the national
--     geoportal by the date and have not changed since / all datasets published on the date. The
--     громада records the registration (POST /api/datasets/{layer}/{hromada}/registration); a dataset
--     has "changed since registration" when its change counter moved past the registered one and its
--     last change was on or before the date.
WITH ds AS (
  SELECT d.layer, d.change_count, d.changed_at,
         r.status, r.change_count AS registered_count, r.submitted_at, r.registered_at
  FROM dataset d
  LEFT JOIN dataset_registration r ON r.layer = d.layer AND r.hromada = d.hromada
  WHERE d.hromada = :hromada AND d.published
    AND (d.published_at AT TIME ZONE 'Europe/Kyiv')::date <= :as_of
),
state AS (
  SELECT layer,
         CASE
           WHEN status IS NULL THEN 'not_submitted'
           WHEN change_count > registered_count
                AND (changed_at AT TIME ZONE 'Europe/Kyiv')::date <= :as_of THEN 'changed'
           WHEN status = 'registered' AND (registered_at AT TIME ZONE 'Europe/Kyiv')::date <= :as_of THEN 'registered'
           WHEN (submitted_at AT TIME ZONE 'Europe/Kyiv')::date <= :as_of THEN 'submitted'
           ELSE 'not_submitted'
         END AS state
  FROM ds
)
SELECT :hromada AS territory,
       CASE WHEN count(*) > 0
            THEN 100.0 * count(*) FILTER (WHERE state = 'registered') / count(*) END AS value,
       count(*) FILTER (WHERE state = 'registered') AS numerator,
       count(*) AS denominator,
       CASE WHEN count(*) = 0 THEN 'no_published' END AS reason,
       jsonb_build_object(
         'registered', coalesce(jsonb_agg(layer ORDER BY layer) FILTER (WHERE state = 'registered'), '[]'::jsonb),
         'changed', coalesce(jsonb_agg(layer ORDER BY layer) FILTER (WHERE state = 'changed'), '[]'::jsonb),
         'submitted', coalesce(jsonb_agg(layer ORDER BY layer) FILTER (WHERE state = 'submitted'), '[]'::jsonb),
         'not_submitted', coalesce(jsonb_agg(layer ORDER BY layer) FILTER (WHERE state = 'not_submitted'), '[]'::jsonb)
       ) AS details
FROM state
