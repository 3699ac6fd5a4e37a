-- monthly_activity_types.sql - activities (distinct activity_ids) of each
-- type, this month and the previous month.
--
-- Speed: the days of each month are listed (m, p) and activities_date
-- (date, type) is searched on date = ? AND type = ?, so each type reads its
-- own rows only; a range on date would read every type's rows once per type.
-- Dates are stored as YYYY-MM-DD, so the days equal the BETWEEN range.
WITH RECURSIVE types(ord, code, zh, en) AS (
    VALUES (1, 'call', '亲情连线', 'Calls'), (2, 'reading', '陪你阅读', 'Reading'),
           (3, 'holiday', '假日亲子活动', 'Holiday'), (4, 'birthday', '陪过生日', 'Birthdays'),
           (5, 'icebreak', '互认互知', 'Get-to-know'), (6, 'visit_teacher', '访班主任', 'Teacher visits'),
           (7, 'visit_guardian', '访监护人', 'Guardian visits'), (8, 'warmth', '送温暖', 'Send warmth'),
           (9, 'knowledge', '送知识', 'Send knowledge'), (10, 'study_trip', '亲子研学', 'Study trips'),
           (11, 'counselling', '心理疏导', 'Counselling'), (12, 'other', '其他', 'Other')
),
m(d) AS (SELECT :from UNION ALL SELECT date(d, '+1 day') FROM m WHERE d < :to),
p(d) AS (SELECT :prev_from UNION ALL SELECT date(d, '+1 day') FROM p WHERE d < :prev_to)
SELECT ty.code AS type,
       CASE :lang WHEN 'en' THEN ty.en ELSE ty.zh END AS label,
       (SELECT count(DISTINCT a.activity_id) FROM m CROSS JOIN activities a
         WHERE a.date = m.d AND a.type = ty.code) AS this_month,
       (SELECT count(DISTINCT a.activity_id) FROM p CROSS JOIN activities a
         WHERE a.date = p.d AND a.type = ty.code) AS last_month
  FROM types ty
 ORDER BY ty.ord;
