-- monthly_activity_types.sql - activities (distinct activity_ids) of each
-- type, this month and the previous month (NULL, no comparison, when that
-- month is before the data start: the first day of the month of the
-- first activity, as monthly_kpi.sql).
--
-- Speed: month_events, which ingest keeps, holds these counts.
WITH types(ord, code, zh, en) AS (
    VALUES (1, 'call', '亲情连线', 'Calls'), (2, 'reading', '陪你阅读', 'Reading'),
           (3, 'holiday', '假日亲子活动', 'Holiday'), (4, 'birthday', '陪过生日', 'Birthdays'),
           (5, 'icebreak', '互认互知', 'Get-to-know'), (6, 'visit_teacher', '访班主任', 'Teacher visits'),
           (7, 'visit_guardian', '访监护人', 'Guardian visits'), (8, 'warmth', '送温暖', 'Send warmth'),
           (9, 'knowledge', '送知识', 'Send knowledge'), (10, 'study_trip', '亲子研学', 'Study trips'),
           (11, 'counselling', '心理疏导', 'Counselling'), (12, 'other', '其他', 'Other')
)
SELECT ty.code AS type,
       CASE :lang WHEN 'en' THEN ty.en ELSE ty.zh END AS label,
       coalesce((SELECT e.events FROM month_events e
                  WHERE e.month = substr(:from, 1, 7) AND e.type = ty.code), 0) AS this_month,
       CASE WHEN :prev_from >= (SELECT date(min(date), 'start of month') FROM activities)
            THEN coalesce((SELECT e.events FROM month_events e
                            WHERE e.month = substr(:prev_from, 1, 7) AND e.type = ty.code), 0)
       END AS last_month
  FROM types ty
 ORDER BY ty.ord;
