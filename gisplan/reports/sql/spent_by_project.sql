-- Executors' reported spending (тис. грн) and latest progress per project of a program, for one year
-- up to and including a quarter.
-- :program  program id;  :year  reporting year;  :quarter  last quarter included (1–4)
SELECT r.project_id,
       sum(r.spent) FILTER (WHERE r.quarter = :quarter)                          AS spent_quarter,
       sum(r.spent)                                                              AS spent_ytd,
       count(*) FILTER (WHERE r.quarter = :quarter)                              AS reports_in_quarter,
       (array_agg(r.progress_pct ORDER BY r.quarter DESC)
            FILTER (WHERE r.progress_pct IS NOT NULL))[1]                        AS progress_pct,
       (array_agg(r.narrative ORDER BY r.quarter DESC)
            FILTER (WHERE r.narrative IS NOT NULL AND r.quarter = :quarter))[1]  AS narrative
FROM program_project_report AS r
JOIN program_project AS p ON p.id = r.project_id
WHERE p.program_id = :program AND r.year = :year AND r.quarter <= :quarter
GROUP BY r.project_id
