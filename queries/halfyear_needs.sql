-- halfyear_needs.sql - needs coverage: for each of the six need
-- categories, the children with that need in their survey (registered by
-- the period's end, not exited before it starts) and how many of them
-- received a matching activity in the period.  Matching:
--   affection  counselling, warmth or get-to-know visits
--   contact    calls, visits to the guardian or the class teacher
--   reading    reading sessions or study trips
--   festival   holiday activities or birthdays
--   wish       a micro-wish fulfilled in the period
--   other      send-knowledge or other activities
WITH needs(ord, code, zh, en, types_zh, types_en) AS (
    VALUES (1, 'affection', '亲情关爱、心理疏导', 'Affection and support', '心理疏导、送温暖、互认互知', 'counselling, warmth, get-to-know'),
           (2, 'contact', '电话连线、走访探视', 'Calls and visits', '亲情连线、访监护人、访班主任', 'calls, guardian and teacher visits'),
           (3, 'reading', '亲子阅读、亲子研学', 'Reading and study trips', '陪你阅读、亲子研学', 'reading, study trips'),
           (4, 'festival', '陪过节日或生日', 'Holidays and birthdays', '假日亲子活动、陪过生日', 'holiday activities, birthdays'),
           (5, 'wish', '实现“微心愿”', 'Micro-wishes', '微心愿实现', 'a wish fulfilled'),
           (6, 'other', '其他帮扶措施', 'Other help', '送知识、其他', 'send knowledge, other')
),
kids AS MATERIALIZED (
    SELECT child_id, ';' || coalesce(needs, '') || ';' AS n FROM children
     WHERE (registered_on IS NULL OR registered_on <= :to)
       AND (exited_on IS NULL OR exited_on >= :from)
),
got AS MATERIALIZED (
    SELECT DISTINCT a.child_id,
           CASE WHEN a.type IN ('counselling', 'warmth', 'icebreak') THEN 'affection'
                WHEN a.type IN ('call', 'visit_guardian', 'visit_teacher') THEN 'contact'
                WHEN a.type IN ('reading', 'study_trip') THEN 'reading'
                WHEN a.type IN ('holiday', 'birthday') THEN 'festival'
                ELSE 'other' END AS need
      FROM activities a WHERE a.date BETWEEN :from AND :to
    UNION
    SELECT DISTINCT child_id, 'wish' FROM wishes WHERE fulfilled_on BETWEEN :from AND :to
),
r AS (
    SELECT nd.ord, nd.code, nd.zh, nd.en, nd.types_zh, nd.types_en,
           (SELECT count(*) FROM kids k WHERE instr(k.n, ';' || nd.code || ';') > 0) AS children,
           (SELECT count(*) FROM kids k WHERE instr(k.n, ';' || nd.code || ';') > 0
               AND EXISTS (SELECT 1 FROM got g WHERE g.child_id = k.child_id AND g.need = nd.code)) AS served
      FROM needs nd
)
SELECT ord, CASE :lang WHEN 'en' THEN en ELSE zh END AS need,
       CASE :lang WHEN 'en' THEN types_en ELSE types_zh END AS matching,
       children, served,
       CASE WHEN children > 0 THEN 1.0 * served / children END AS coverage
  FROM r
 ORDER BY ord;
