-- gap: settlements_without_mobile
-- name:
--   uk: Населені пункти поза покриттям мобільного інтернету
--   en: Settlements outside mobile internet coverage
-- inputs: [settlements, mobile_coverage]
-- counts: settlements
-- parameters:
--   technologies: [umts_3g, lte_4g, nr_5g]
--   min_area_share: 0.5
-- method:
--   uk: Як у показнику MOBILE_SETTLEMENT_SHARE, навпаки - населені пункти, покриті менше ніж на min_area_share площі (точка - поза зоною; не нанесені - без геометрії).
--   en: The complement of MOBILE_SETTLEMENT_SHARE - settlements covered on less than min_area_share of their area (a point outside coverage; unlocated ones without geometry).
WITH cover AS (
  SELECT ST_Union(m.geom) AS g FROM mobile_coverage m
  WHERE m.hromada = :hromada AND {{in_service m}} AND m.technology = ANY(CAST(:technologies AS text[]))
),
judged AS (
  SELECT p.katottg, p.name, p.population, p.geom AS polygon, p.point,
         CASE WHEN p.geom IS NOT NULL AND c.g IS NOT NULL
              THEN ST_Area(geography(ST_Intersection(p.geom, c.g))) / NULLIF(ST_Area(geography(p.geom)), 0)
              WHEN p.point IS NOT NULL AND c.g IS NOT NULL THEN ST_Intersects(p.point, c.g)::int
              ELSE 0 END AS covered_share
  FROM settlements p CROSS JOIN cover c
  WHERE p.hromada = :hromada AND {{in_service p}}
)
SELECT katottg AS territory, name, population, coalesce(polygon, point) AS geom,
       jsonb_build_object('covered_share', round(coalesce(covered_share, 0)::numeric, 4),
                          'located', polygon IS NOT NULL OR point IS NOT NULL) AS properties
FROM judged
WHERE coalesce(covered_share, 0) < CASE WHEN polygon IS NOT NULL THEN :min_area_share ELSE 1 END
ORDER BY population DESC NULLS LAST, katottg
