-- code: INVEST_GIS_LAYER
-- name:
--   uk: На офіційних ресурсах ОМС наявна інформація про інвестиційні об’єкти (у вигляді шару ГІС) та була оновлена протягом звітного року
--   en: Investment objects published as a GIS layer and updated in the reporting year
-- unit: bool
-- canonical: INVEST_GIS_LAYER
-- inputs: [investment_objects]
-- publication: true
-- method:
--   uk: >-
--     Так, якщо набір «Інвестиційні об’єкти» громади оприлюднено до дати (дата останнього
--     оприлюднення), у ньому є ≥ 1 публічний об’єкт, що існує на дату, і шар змінювався (нова
--     версія об’єкта або його вилучення) з 1 січня року дати до самої дати.
--   en: >-
--     Yes when the громада's investment-objects dataset was published by the date (the date of its
--     last publication), holds ≥ 1 public object existing on the date, and the layer changed (a new
--     version of an object, or its deletion) between 1 January of the date's year and the date.
WITH ds AS (
  SELECT coalesce(d.published AND (d.published_at AT TIME ZONE 'Europe/Kyiv')::date <= :as_of, false)
           AS published,
         d.published_at
  FROM (SELECT 1) AS one
  LEFT JOIN dataset d ON d.layer = 'investment_objects' AND d.hromada = :hromada
),
public_rows AS (
  SELECT count(*) AS n FROM pub.investment_objects t WHERE t.hromada = :hromada AND {{exists_on t}}
),
version AS (
  SELECT t.updated_at AS at FROM investment_objects t WHERE t.hromada = :hromada
  UNION ALL
  SELECT h.updated_at FROM investment_objects_history h WHERE h.hromada = :hromada
  UNION ALL
  SELECT h.changed_at FROM investment_objects_history h WHERE h.hromada = :hromada AND h.operation = 'DELETE'
),
updated AS (
  SELECT max(at) AS last FROM version WHERE (at AT TIME ZONE 'Europe/Kyiv')::date <= :as_of
)
SELECT :hromada AS territory,
       (ds.published AND p.n > 0 AND u.last IS NOT NULL
        AND (u.last AT TIME ZONE 'Europe/Kyiv')::date >= :year_start)::int AS value,
       NULL::numeric AS numerator,
       NULL::numeric AS denominator,
       NULL::text AS reason,
       jsonb_build_object('published', ds.published, 'published_at', ds.published_at,
                          'public_rows', p.n, 'last_change', u.last) AS details
FROM ds, public_rows p, updated u
