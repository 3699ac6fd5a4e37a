-- monthly_outside_pairing.sql - the month's activity rows whose volunteer
-- and child have no pairing active on that day (a holiday event, a
-- reserve-pool volunteer helping out): loaded, but worth a look.
--
-- Speed: the rows outside a pairing are found from the indexes alone
-- (activities_date carries the key, pairings_volunteer the dates); only
-- those few rows are then read from the table for their source line.
WITH types(code, zh, en) AS (
    VALUES ('call', '亲情连线', 'Call'), ('reading', '陪你阅读', 'Reading'),
           ('holiday', '假日亲子活动', 'Holiday'), ('birthday', '陪过生日', 'Birthday'),
           ('icebreak', '互认互知', 'Get-to-know'), ('visit_teacher', '访班主任', 'Teacher visit'),
           ('visit_guardian', '访监护人', 'Guardian visit'), ('warmth', '送温暖', 'Send warmth'),
           ('knowledge', '送知识', 'Send knowledge'), ('study_trip', '亲子研学', 'Study trip'),
           ('counselling', '心理疏导', 'Counselling'), ('other', '其他', 'Other')
),
o AS MATERIALIZED (
    SELECT a.date, a.type, a.activity_id, a.volunteer_id, a.child_id
      FROM activities a INDEXED BY activities_date
     WHERE a.date BETWEEN :from AND :to
       AND NOT EXISTS (SELECT 1 FROM pairings p
                        WHERE p.volunteer_id = a.volunteer_id AND p.child_id = a.child_id
                          AND p.started_on <= a.date
                          AND (p.ended_on IS NULL OR p.ended_on >= a.date))
)
SELECT o.date, o.activity_id,
       coalesce((SELECT CASE :lang WHEN 'en' THEN ty.en ELSE ty.zh END
                   FROM types ty WHERE ty.code = o.type), o.type) AS type,
       v.name AS volunteer,
       CASE WHEN :audience = 'public' THEN coalesce(c.alias, c.child_id) ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       coalesce(l.file, '?') || ':' || coalesce(a.line, '?') AS source
  FROM o
  JOIN activities a ON a.activity_id = o.activity_id AND a.volunteer_id = o.volunteer_id
                   AND a.child_id = o.child_id
  JOIN volunteers v ON v.volunteer_id = o.volunteer_id
  JOIN children c ON c.child_id = o.child_id
  LEFT JOIN ingest_log l ON l.id = a.ingest_id
 ORDER BY o.date, o.activity_id, o.volunteer_id, o.child_id;
