-- A plate printed (again): the time, who, and the short code on it.
INSERT INTO qr_plate (feature_id, hromada, short, printed_at, printed_by)
VALUES (:id, :hromada, :short, now(), :user)
ON CONFLICT (feature_id) DO UPDATE
  SET short = EXCLUDED.short, printed_at = EXCLUDED.printed_at, printed_by = EXCLUDED.printed_by;
