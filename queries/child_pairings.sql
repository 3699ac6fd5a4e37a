-- A child's record: every pairing of the child, first the earliest, with
-- the volunteer and the activities the pair recorded while paired
-- (distinct activity ids of that volunteer with this child) (:child).
WITH acts AS (
    SELECT activity_id, volunteer_id, date FROM activities WHERE child_id = :child
)
SELECT v.name AS volunteer, v.volunteer_id,
       CASE v.role WHEN 'mother' THEN CASE WHEN :lang = 'en' THEN 'mother' ELSE '爱心妈妈' END
                   WHEN 'father' THEN CASE WHEN :lang = 'en' THEN 'father' ELSE '爱心爸爸' END
       END AS role,
       v.organization, v.phone, p.started_on, p.ended_on, p.end_reason,
       (SELECT count(DISTINCT a.activity_id) FROM acts a
        WHERE a.volunteer_id = p.volunteer_id AND a.date >= p.started_on
          AND (p.ended_on IS NULL OR a.date <= p.ended_on)) AS activities
FROM pairings p JOIN volunteers v ON v.volunteer_id = p.volunteer_id
WHERE p.child_id = :child
ORDER BY p.started_on, p.pairing_id;
