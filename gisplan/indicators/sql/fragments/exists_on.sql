-- A feature that exists on :as_of by the time model alone (installed by then, not removed by then),
-- whatever its status: for layers whose statuses are not a life cycle of operation.
(({t}.installed_at IS NULL OR {t}.installed_at <= :as_of)
 AND ({t}.removed_at IS NULL OR {t}.removed_at > :as_of))
