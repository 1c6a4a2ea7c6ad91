-- One aggregate over the features of one layer in service in the громада on :as_of.
-- {aggregate}, {unknown}, {table} and {filter} come from the metric's declaration
-- (gisplan/indicators/attribute.yaml); :hromada, :as_of and the metric's parameters are bound.
SELECT {aggregate} AS amount,
       count(*) AS features,
       {unknown} AS unknown
FROM {table} t
WHERE t.hromada = :hromada
  AND {{in_service t}}
  AND ({filter})
