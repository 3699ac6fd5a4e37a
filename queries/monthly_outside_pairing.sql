-- monthly_outside_pairing.sql - the month's activity rows whose volunteer
-- and child have no pairing active on that day (a holiday event, a
-- reserve-pool volunteer helping out): loaded, but worth a look.  An
-- internal list; the child's public alias beside the name.
--
-- Speed: ingest keeps those rows in activity_outside (queries/schema.sql),
-- so the month's are one range of activity_outside_date; only they are
-- then read from activities for their source line.
WITH types(code, zh, en) AS (
    VALUES ('call', '亲情连线', 'Call'), ('reading', '陪你阅读', 'Reading'),
           ('holiday', '假日亲子活动', 'Holiday'), ('birthday', '陪过生日', 'Birthday'),
           ('icebreak', '互认互知', 'Get-to-know'), ('visit_teacher', '访班主任', 'Teacher visit'),
           ('visit_guardian', '访监护人', 'Guardian visit'), ('warmth', '送温暖', 'Send warmth'),
           ('knowledge', '送知识', 'Send knowledge'), ('study_trip', '亲子研学', 'Study trip'),
           ('counselling', '心理疏导', 'Counselling'), ('other', '其他', 'Other')
),
o AS MATERIALIZED (
    SELECT x.date, a.type, x.activity_id, x.volunteer_id, x.child_id
      FROM activity_outside x
      JOIN activities a ON a.activity_id = x.activity_id AND a.volunteer_id = x.volunteer_id
                       AND a.child_id = x.child_id
     WHERE x.date BETWEEN :from AND :to
)
SELECT o.date, o.activity_id,
       coalesce((SELECT CASE :lang WHEN 'en' THEN ty.en ELSE ty.zh END
                   FROM types ty WHERE ty.code = o.type), o.type) AS type,
       v.name AS volunteer,
       CASE WHEN :audience = 'public' THEN public_alias(c.child_id) ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       public_alias(c.child_id) AS child_alias,
       coalesce(l.file, '?') || ':' || coalesce(a.line, '?') AS source
  FROM o
  JOIN activities a ON a.activity_id = o.activity_id AND a.volunteer_id = o.volunteer_id
                   AND a.child_id = o.child_id
  JOIN volunteers v ON v.volunteer_id = o.volunteer_id
  JOIN children c ON c.child_id = o.child_id
  LEFT JOIN ingest_log l ON l.id = a.ingest_id
 ORDER BY o.date, o.activity_id, o.volunteer_id, o.child_id;
