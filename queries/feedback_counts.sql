-- feedback_counts.sql - the matters raised at the symposiums (意见建议) by
-- category (queries/feedback_base.sql): open at the period's start
-- (carried), raised in it, resolved in it, open at its end, and of those
-- the ones raised before the period (open_old: the rows of
-- feedback_open.sql); every category in the contract's order, then the
-- total.  On each row carried + raised = resolved + open.  Counts only:
-- public as well (the categories are the contract's, no free text).
-- include feedback_base.sql
, g AS (
    SELECT c.ord, CASE :lang WHEN 'en' THEN c.en ELSE c.zh END AS category,
           coalesce(sum(fb.open_start), 0) AS carried,
           coalesce(sum(fb.raised_in), 0) AS raised,
           coalesce(sum(fb.resolved_in), 0) AS resolved,
           coalesce(sum(fb.open_end), 0) AS open,
           coalesce(sum(fb.open_end AND NOT fb.raised_in), 0) AS open_old
      FROM fb_category c LEFT JOIN fb ON fb.category = c.code
     GROUP BY c.ord
)
SELECT 0 AS sort, ord, category, carried, raised, resolved, open, open_old FROM g
UNION ALL
SELECT 1, NULL, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END,
       sum(carried), sum(raised), sum(resolved), sum(open), sum(open_old)
  FROM g
ORDER BY 1, 2;
