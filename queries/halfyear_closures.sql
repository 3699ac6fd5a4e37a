-- halfyear_closures.sql - pairings that ended in the period, by the reason
-- given (blank: "not given"), most frequent first; then a total row.
-- Public: the reason cleaned (redact) before the grouping, so two reasons
-- that differ only in a child's name are one row.
WITH e AS (
    SELECT coalesce(nullif(trim(CASE WHEN :audience = 'public' THEN redact(end_reason)
                                     ELSE end_reason END), ''),
                    CASE :lang WHEN 'en' THEN '(not given)' ELSE '（未填写原因）' END) AS reason
      FROM pairings WHERE ended_on BETWEEN :from AND :to
)
SELECT 0 AS sort, reason, count(*) AS pairings FROM e GROUP BY reason
UNION ALL
SELECT 1, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END, count(*) FROM e
ORDER BY sort, pairings DESC, reason;
