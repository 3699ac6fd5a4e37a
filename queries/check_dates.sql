-- Every stored date is a real calendar date, not before 2000 (birth dates
-- 1990) and not after today.
WITH d(tbl, key, col, v) AS (
    SELECT 'children', child_id, 'birth_date', birth_date FROM children
    UNION ALL SELECT 'children', child_id, 'registered_on', registered_on FROM children
    UNION ALL SELECT 'children', child_id, 'exited_on', exited_on FROM children
    UNION ALL SELECT 'volunteers', volunteer_id, 'joined_on', joined_on FROM volunteers
    UNION ALL SELECT 'pairings', pairing_id, 'started_on', started_on FROM pairings
    UNION ALL SELECT 'pairings', pairing_id, 'ended_on', ended_on FROM pairings
    UNION ALL SELECT 'wishes', wish_id, 'registered_on', registered_on FROM wishes
    UNION ALL SELECT 'wishes', wish_id, 'fulfilled_on', fulfilled_on FROM wishes
    UNION ALL SELECT 'donations', donation_id, 'date', date FROM donations
    UNION ALL SELECT 'expenditures', expense_id, 'date', date FROM expenditures
    UNION ALL SELECT 'trainings', event_id, 'date', date FROM trainings
    UNION ALL SELECT 'stories', story_id, 'date', date FROM stories
    UNION ALL SELECT 'feedback', feedback_id, 'raised_on', raised_on FROM feedback
    UNION ALL SELECT 'feedback', feedback_id, 'resolved_on', resolved_on FROM feedback
)
SELECT tbl || ' ''' || key || ''': ' || col || ' ''' || v || ''' is not a valid date'
FROM d
WHERE v IS NOT NULL
  AND (date(v) IS NOT v OR v > :today OR v < CASE col WHEN 'birth_date' THEN '1990-01-01' ELSE '2000-01-01' END)
UNION ALL
SELECT 'activities ''' || activity_id || ''': date ''' || date || ''' is not a valid date'
FROM activities
WHERE date(date) IS NOT date OR date > :today OR date < '2000-01-01';
