-- One opening of a short link, counted for today. Only the count is kept.
INSERT INTO qr_scan (short, day, count) VALUES (:short, current_date, 1)
ON CONFLICT (short, day) DO UPDATE SET count = qr_scan.count + 1;
