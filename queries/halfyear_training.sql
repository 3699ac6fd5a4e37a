-- halfyear_training.sql - training in the period by kind: events held,
-- attendances (one per volunteer and event) and distinct volunteers; then
-- a total row.
WITH kinds(ord, code, zh, en) AS (
    VALUES (1, 'micro_class', '赋能微课堂', 'Micro-classes'), (2, 'symposium', '座谈会', 'Symposiums'),
           (3, 'other', '其他培训', 'Other')
),
t AS (SELECT * FROM trainings WHERE date BETWEEN :from AND :to)
SELECT 0 AS sort, k.ord, CASE :lang WHEN 'en' THEN k.en ELSE k.zh END AS kind,
       (SELECT count(*) FROM t WHERE t.kind = k.code) AS events,
       (SELECT count(*) FROM attendance a JOIN t ON t.event_id = a.event_id
         WHERE t.kind = k.code) AS attendances,
       (SELECT count(DISTINCT a.volunteer_id) FROM attendance a JOIN t ON t.event_id = a.event_id
         WHERE t.kind = k.code) AS volunteers
  FROM kinds k
UNION ALL
SELECT 1, 99, CASE :lang WHEN 'en' THEN 'Total' ELSE '合计' END,
       (SELECT count(*) FROM t),
       (SELECT count(*) FROM attendance a JOIN t ON t.event_id = a.event_id),
       (SELECT count(DISTINCT a.volunteer_id) FROM attendance a JOIN t ON t.event_id = a.event_id)
ORDER BY sort, ord;
