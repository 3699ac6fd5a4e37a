-- monthly_fund_balance.sql - each restricted fund from its first donation
-- to the month's end: raised, spent, balance; then the unrestricted money.
-- Public: the fund's name cleaned (redact) as it is shown; the sums are
-- matched by the name as stored.
WITH funds AS (
    SELECT DISTINCT restricted_to AS fund FROM donations
     WHERE restricted_to IS NOT NULL AND date <= :to
),
sp AS MATERIALIZED (   -- spent by fund, the expenditures read once (no index by fund)
    SELECT fund, coalesce(sum(amount_fen), 0) AS spent FROM expenditures
     WHERE date <= :to GROUP BY fund
),
b AS (
    SELECT 0 AS sort, f.fund,
        (SELECT coalesce(sum(d.amount_fen), 0) FROM donations d
          WHERE d.restricted_to = f.fund AND d.date <= :to) AS raised,
        coalesce((SELECT s.spent FROM sp s WHERE s.fund = f.fund), 0) AS spent
      FROM funds f
    UNION ALL
    SELECT 1, CASE :lang WHEN 'en' THEN 'Unrestricted' ELSE '非定向资金' END,
        (SELECT coalesce(sum(d.amount_fen), 0) FROM donations d
          WHERE d.restricted_to IS NULL AND d.date <= :to),
        coalesce((SELECT s.spent FROM sp s WHERE s.fund IS NULL), 0)
)
SELECT sort, CASE WHEN :audience = 'public' AND sort = 0 THEN redact(fund) ELSE fund END AS fund,
       raised, spent, raised - spent AS balance
  FROM b
 ORDER BY sort, b.fund;
