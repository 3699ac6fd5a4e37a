-- range_money.sql - money raised (donations) and spent (expenditures) in
-- the period, with the number of donations and expenses.
SELECT 1 AS ord, 'raised' AS metric, CASE :lang WHEN 'en' THEN 'Money raised' ELSE '募集善款（元）' END AS label,
       (SELECT coalesce(sum(amount_fen), 0) FROM donations WHERE date BETWEEN :from AND :to) AS value,
       (SELECT count(*) FROM donations WHERE date BETWEEN :from AND :to) AS items
UNION ALL
SELECT 2, 'spent', CASE :lang WHEN 'en' THEN 'Money spent' ELSE '支出（元）' END,
       (SELECT coalesce(sum(amount_fen), 0) FROM expenditures WHERE date BETWEEN :from AND :to),
       (SELECT count(*) FROM expenditures WHERE date BETWEEN :from AND :to)
ORDER BY ord;
