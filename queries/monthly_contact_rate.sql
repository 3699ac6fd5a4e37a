-- monthly_contact_rate.sql - the contact rate: paired children contacted
-- in the month over paired children, for the month, the previous month and
-- the year to date (the sum over the year's months of contacted paired
-- children over the sum of paired children, so each month weighs by its
-- children).  Contacted = any activity row naming the child in the month,
-- visits to the class teacher or the guardian excepted: a row of
-- child_months, which ingest keeps equal to that count.  Every window here
-- is a whole calendar month.
WITH RECURSIVE months(f) AS (
    SELECT :ytd_from
    UNION ALL
    SELECT date(f, '+1 month') FROM months WHERE date(f, '+1 month') <= :from
),
w(k, f, t) AS (
    SELECT 'y', f, min(date(f, '+1 month', '-1 day'), :to) FROM months
    UNION ALL VALUES ('m', :from, :to), ('p', :prev_from, :prev_to)
),
s AS MATERIALIZED (
    SELECT w.k,
        (SELECT count(DISTINCT p.child_id)
           FROM pairings p JOIN children c ON c.child_id = p.child_id
          WHERE p.started_on <= w.t AND (p.ended_on IS NULL OR p.ended_on >= w.f)
            AND (c.exited_on IS NULL OR c.exited_on >= w.f)) AS paired,
        (SELECT count(DISTINCT p.child_id)
           FROM pairings p JOIN children c ON c.child_id = p.child_id
          WHERE p.started_on <= w.t AND (p.ended_on IS NULL OR p.ended_on >= w.f)
            AND (c.exited_on IS NULL OR c.exited_on >= w.f)
            AND EXISTS (SELECT 1 FROM child_months m
                         WHERE m.child_id = p.child_id
                           AND m.month = substr(w.f, 1, 7))) AS contacted
    FROM w
)
SELECT 'contact_rate' AS metric,
       CASE :lang WHEN 'en' THEN 'Contact rate' ELSE '儿童联系率' END AS label,
       (SELECT 1.0 * contacted / paired FROM s WHERE k = 'm' AND paired > 0) AS value,
       (SELECT 1.0 * contacted / paired FROM s WHERE k = 'p' AND paired > 0) AS previous,
       (SELECT 1.0 * sum(contacted) / sum(paired) FROM s WHERE k = 'y'
         HAVING sum(paired) > 0) AS ytd,
       (SELECT paired FROM s WHERE k = 'm') AS paired,
       (SELECT contacted FROM s WHERE k = 'm') AS contacted,
       (SELECT paired - contacted FROM s WHERE k = 'm') AS not_contacted;
