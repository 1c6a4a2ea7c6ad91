-- Tourist objects of a громада for QR plates, in name order: every active object that is not
-- removed (public or not: planners print plates before publishing), or only the ids asked for.
-- Printing, installation and scan counts come along for the planners' list.
SELECT o.id, o.hromada, o.version, o.code, o.name, o.category, o.description, o.public,
       o.has_qr, o.qr_code, o.qr_installed_at, o.qr_plate_condition,
       p.printed_at, p.printed_by, p.short AS printed_short,
       coalesce((SELECT sum(s.count) FROM qr_scan s WHERE s.short = o.qr_code), 0)::bigint AS scans
FROM public.tourist_objects o
LEFT JOIN qr_plate p ON p.feature_id = o.id
WHERE o.hromada = :hromada AND o.removed_at IS NULL
  AND (CAST(:ids AS uuid[]) IS NULL OR o.id = ANY(CAST(:ids AS uuid[])))
ORDER BY o.name, o.id;
