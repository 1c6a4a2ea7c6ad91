-- A feature in service on :as_of. The time model: installed by that date (or always, NULL) and not
-- removed by it (or never, NULL); and active, or ended only later (removed_at set and after
-- :as_of), so a planned feature, or one out of service since an unknown date, does not count.
(({t}.installed_at IS NULL OR {t}.installed_at <= :as_of)
 AND ({t}.removed_at IS NULL OR {t}.removed_at > :as_of)
 AND ({t}.status = 'active' OR {t}.removed_at IS NOT NULL))
