-- Activities outside a pairing: loaded, but worth a look (a holiday event
-- with children of other volunteers, a reserve volunteer helping out).
SELECT 'activity ''' || a.activity_id || ''' of volunteer ''' || a.volunteer_id
       || ''' with child ''' || a.child_id || ''' on ' || a.date || ' is outside a pairing'
FROM activities a
WHERE NOT EXISTS (
    SELECT 1 FROM pairings p
    WHERE p.volunteer_id = a.volunteer_id AND p.child_id = a.child_id
      AND p.started_on <= a.date AND (p.ended_on IS NULL OR p.ended_on >= a.date));
