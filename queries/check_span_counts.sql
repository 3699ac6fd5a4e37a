-- check_span_counts.sql - span_counts and span_gaps (monthly report:
-- paired children counted by run of months) equal a recount from
-- child_spans (itself checked against pairings in check_summaries.sql).
WITH c AS (
    SELECT first_month, last_month, town_code, count(*) AS n FROM child_spans
     GROUP BY first_month, last_month, town_code
),
g AS (
    SELECT last_month, next_month, count(*) AS n
      FROM (SELECT lag(last_month) OVER (PARTITION BY child_id ORDER BY first_month) AS last_month,
                   first_month AS next_month
              FROM child_spans)
     WHERE last_month IS NOT NULL
     GROUP BY last_month, next_month
)
SELECT 'span_counts: runs ' || coalesce(c.first_month, s.first_month) || ' to '
       || coalesce(c.last_month, s.last_month) || ' town ' || coalesce(c.town_code, s.town_code)
       || ' holds ' || coalesce(s.spans, 0) || ', child_spans say ' || coalesce(c.n, 0)
  FROM c FULL JOIN span_counts s
    ON s.first_month = c.first_month AND s.last_month = c.last_month
   AND s.town_code = c.town_code
 WHERE c.n IS NOT s.spans
UNION ALL
SELECT 'span_gaps: runs ending ' || coalesce(g.last_month, s.last_month) || ' followed by one from '
       || coalesce(g.next_month, s.next_month) || ' holds ' || coalesce(s.gaps, 0)
       || ', child_spans say ' || coalesce(g.n, 0)
  FROM g FULL JOIN span_gaps s ON s.last_month = g.last_month AND s.next_month = g.next_month
 WHERE g.n IS NOT s.gaps;
