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
--
-- Speed: the types of each child's contacts per month come from
-- child_months.types (kept by ingest), so the period's activity rows are
-- not read, but for the visits (one search per day and visit type).
WITH RECURSIVE needs(ord, code, zh, en, types_zh, types_en) AS (
    VALUES (1, 'affection', '亲情关爱、心理疏导', 'Affection and support', '心理疏导、送温暖、互认互知', 'counselling, warmth, get-to-know'),
           (2, 'contact', '电话连线、走访探视', 'Calls and visits', '亲情连线、访监护人、访班主任', 'calls, guardian and teacher visits'),
           (3, 'reading', '亲子阅读、亲子研学', 'Reading and study trips', '陪你阅读、亲子研学', 'reading, study trips'),
           (4, 'festival', '陪过节日或生日', 'Holidays and birthdays', '假日亲子活动、陪过生日', 'holiday activities, birthdays'),
           (5, 'wish', '实现“微心愿”', 'Micro-wishes', '微心愿实现', 'a wish fulfilled'),
           (6, 'other', '其他帮扶措施', 'Other help', '送知识、其他', 'send knowledge, other')
),
kids AS MATERIALIZED (
    SELECT child_id, ';' || coalesce(needs, '') || ';' AS n FROM children
     WHERE hm_on_record(registered_on, exited_on, :from, :to)
),
-- The activity types matching each need, as bits of child_months.types
-- (contacts: visits are not among them, see 'visited').
masks(code, mask) AS (
    SELECT 'affection', (SELECT sum(bit) FROM activity_types WHERE code IN ('counselling', 'warmth', 'icebreak'))
    UNION ALL SELECT 'contact', (SELECT sum(bit) FROM activity_types WHERE code = 'call')
    UNION ALL SELECT 'reading', (SELECT sum(bit) FROM activity_types WHERE code IN ('reading', 'study_trip'))
    UNION ALL SELECT 'festival', (SELECT sum(bit) FROM activity_types WHERE code IN ('holiday', 'birthday'))
    UNION ALL SELECT 'wish', 0
    UNION ALL SELECT 'other', (SELECT sum(bit) FROM activity_types WHERE code IN ('knowledge', 'other'))
),
days(d) AS (SELECT :from UNION ALL SELECT date(d, '+1 day') FROM days WHERE d < :to),
visited AS MATERIALIZED (   -- children visited at school or home in the period
    SELECT DISTINCT a.child_id FROM days x CROSS JOIN activities a
     WHERE a.date = x.d AND a.type IN ('visit_teacher', 'visit_guardian')
),
r AS (   -- one pass over the children per need
    SELECT nd.ord, nd.code, nd.zh, nd.en, nd.types_zh, nd.types_en,
           count(k.child_id) AS children,
           count(CASE WHEN (ms.mask <> 0 AND EXISTS (SELECT 1 FROM child_months m
                                  WHERE m.child_id = k.child_id
                                    AND m.month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7)
                                    AND (m.types & ms.mask) <> 0))
                          OR (nd.code = 'contact' AND k.child_id IN visited)
                          OR (nd.code = 'wish' AND EXISTS (SELECT 1 FROM wishes w
                                                            WHERE w.child_id = k.child_id
                                                              AND w.fulfilled_on BETWEEN :from AND :to))
                      THEN 1 END) AS served
      FROM needs nd JOIN masks ms ON ms.code = nd.code
      LEFT JOIN kids k ON instr(k.n, ';' || nd.code || ';') > 0
     GROUP BY nd.ord
)
SELECT ord, CASE :lang WHEN 'en' THEN en ELSE zh END AS need,
       CASE :lang WHEN 'en' THEN types_en ELSE types_zh END AS matching,
       children, served,
       CASE WHEN children > 0 THEN 1.0 * served / children END AS coverage
  FROM r
 ORDER BY ord;
