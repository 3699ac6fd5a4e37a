-- monthly_expenditures.sql - spending in the month by category and fund
-- (blank fund = unrestricted money), then a total row.
-- Public: the fund's name cleaned (redact).
WITH cats(ord, code, zh, en) AS (
    VALUES (1, 'wish', '微心愿', 'Micro-wishes'), (2, 'activity', '活动', 'Activities'),
           (3, 'training', '培训', 'Training'), (4, 'material', '物资', 'Materials'),
           (5, 'other', '其他', 'Other')
),
g AS (
    SELECT e.category, e.fund, count(*) AS expenses, sum(e.amount_fen) AS amount
      FROM (SELECT category, amount_fen,
                   CASE WHEN :audience = 'public' THEN redact(fund) ELSE fund END AS fund
              FROM expenditures WHERE date BETWEEN :from AND :to) e
     GROUP BY e.category, e.fund
)
SELECT 0 AS sort, ca.ord,
       CASE :lang WHEN 'en' THEN ca.en ELSE ca.zh END AS category,
       coalesce(g.fund, CASE :lang WHEN 'en' THEN 'Unrestricted' ELSE '非定向' END) AS fund,
       g.expenses, g.amount
  FROM g JOIN cats ca ON ca.code = g.category
UNION ALL
SELECT 1, 0, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END, NULL,
       coalesce(sum(expenses), 0), coalesce(sum(amount), 0)
  FROM g
ORDER BY 1, 2, 4;
