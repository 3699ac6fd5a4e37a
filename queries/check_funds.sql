-- No restricted fund is spent below zero, and every expenditure's fund is
-- a fund some donation is restricted to.
WITH raised AS (
    SELECT restricted_to AS fund, sum(amount_fen) AS fen FROM donations
    WHERE restricted_to IS NOT NULL GROUP BY restricted_to
), spent AS (
    SELECT fund, sum(amount_fen) AS fen FROM expenditures
    WHERE fund IS NOT NULL GROUP BY fund
)
SELECT 'fund ''' || s.fund || ''' spent ' || printf('%.2f', s.fen / 100.0) || ' yuan but raised '
       || printf('%.2f', coalesce(r.fen, 0) / 100.0)
FROM spent s LEFT JOIN raised r ON r.fund = s.fund
WHERE s.fen > coalesce(r.fen, 0);
