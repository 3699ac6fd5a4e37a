-- A child's record: the activities with the child by month, the latest
-- month first, and by type (:child).  An activity is counted once per
-- month by its id, however many volunteers or rows it has (as every
-- activity figure is); the types are the five ones' four (a birthday, a
-- call, a reading session, a holiday activity), visits (to the class
-- teacher or guardian) and all others.  Hours: each activity's longest
-- minutes, added up.
WITH acts AS (
    SELECT activity_id, substr(date, 1, 7) AS month,
           max(type = 'call') AS call, max(type = 'reading') AS reading,
           max(type = 'holiday') AS holiday, max(type = 'birthday') AS birthday,
           max(type IN ('visit_teacher', 'visit_guardian')) AS visits,
           max(type NOT IN ('call', 'reading', 'holiday', 'birthday', 'visit_teacher',
                            'visit_guardian')) AS other,
           max(COALESCE(minutes, 0)) AS minutes
    FROM activities
    WHERE child_id = :child
    GROUP BY activity_id, substr(date, 1, 7)
)
SELECT month, count(*) AS activities, sum(call) AS calls, sum(reading) AS reading,
       sum(holiday) AS holiday, sum(birthday) AS birthday, sum(visits) AS visits,
       sum(other) AS other, round(sum(minutes) / 60.0, 1) AS hours
FROM acts
GROUP BY month
ORDER BY month DESC;
