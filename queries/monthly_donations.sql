-- monthly_donations.sql - donations received in the month by donor type
-- and fund (blank restricted_to = unrestricted), then a total row.
-- Public: the fund's name cleaned (redact; staff name a fund after a child).
WITH types(ord, code, zh, en) AS (
    VALUES (1, 'enterprise', '企业', 'Enterprises'), (2, 'individual', '个人', 'Individuals'),
           (3, 'giving_day', '99公益日', '99 Giving Day'), (4, 'grant', '公益创投', 'Grants'),
           (5, 'other', '其他', 'Other')
),
g AS (
    SELECT d.donor_type, d.restricted_to, count(*) AS donations, sum(d.amount_fen) AS amount
      FROM (SELECT donor_type, amount_fen,
                   CASE WHEN :audience = 'public' THEN redact(restricted_to)
                        ELSE restricted_to END AS restricted_to
              FROM donations WHERE date BETWEEN :from AND :to) d
     GROUP BY d.donor_type, d.restricted_to
)
SELECT 0 AS sort, ty.ord,
       CASE :lang WHEN 'en' THEN ty.en ELSE ty.zh END AS donor_type,
       coalesce(g.restricted_to, CASE :lang WHEN 'en' THEN 'Unrestricted' ELSE '非定向' END) AS fund,
       g.donations, g.amount
  FROM g JOIN types ty ON ty.code = g.donor_type
UNION ALL
SELECT 1, 0, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END, NULL,
       coalesce(sum(donations), 0), coalesce(sum(amount), 0)
  FROM g
ORDER BY 1, 2, 4;
