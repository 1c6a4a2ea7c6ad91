-- Progress of projects from the features linked to them in one layer ({table}: the layer table).
-- A feature counts as built once it is no longer planned or under construction; removed features
-- (demolished, or dropped from the plan) count for nothing.
SELECT l.project_id,
       count(*) FILTER (WHERE f.status <> 'removed') AS linked,
       count(*) FILTER (WHERE f.status NOT IN ('planned', 'under_construction', 'removed')) AS built
FROM program_feature_link AS l
JOIN {table} AS f ON f.id = l.feature_id
WHERE l.layer = :layer AND l.project_id = ANY(:projects)
GROUP BY l.project_id
