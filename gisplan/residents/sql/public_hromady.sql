-- Громади with at least one published dataset other than their boundary, and what they publish.
SELECT t.code, t.name, o.name AS oblast,
       array_agg(d.layer ORDER BY d.layer) AS layers
FROM dataset d
JOIN territory t ON t.code = d.hromada
LEFT JOIN territory o ON o.code = t.oblast_code
WHERE d.published AND d.layer <> 'hromady'
GROUP BY t.code, t.name, o.name
ORDER BY t.name, t.code
