-- projects.sql - micro-projects (公益微创投): spending in the period per
-- expenditure `project` and fund (blank fund: unrestricted money; blank
-- project: a row "未填写项目" / "No project given"), the projects that
-- spent most first, then the total, which is the period's spending
-- (queries/monthly_expenditures.sql).
-- Project and fund names are typed by staff: a public report shows them
-- cleaned (redact), before they are grouped.
WITH g AS (
    SELECT CASE WHEN :audience = 'public' THEN redact(coalesce(e.project, ''))
                ELSE coalesce(e.project, '') END AS project,
           CASE WHEN :audience = 'public' THEN redact(e.fund) ELSE e.fund END AS fund,
           count(*) AS expenses,
           sum(e.amount_fen) AS amount
      FROM expenditures e
     WHERE e.date BETWEEN :from AND :to
     GROUP BY 1, 2
),
p AS (SELECT project, sum(amount) AS project_amount FROM g GROUP BY project)
SELECT 0 AS sort, p.project_amount,
       CASE WHEN g.project = '' THEN CASE :lang WHEN 'en' THEN 'No project given' ELSE '未填写项目' END
            ELSE g.project END AS project,
       coalesce(g.fund, CASE :lang WHEN 'en' THEN 'Unrestricted' ELSE '非定向' END) AS fund,
       g.expenses, g.amount
  FROM g JOIN p ON p.project = g.project
UNION ALL
SELECT 1, NULL, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END, NULL,
       coalesce(sum(expenses), 0), coalesce(sum(amount), 0)
  FROM g
ORDER BY 1, 2 DESC, 3, 4;
