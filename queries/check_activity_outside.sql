-- check_activity_outside.sql - activity_outside (monthly report: activity
-- rows outside a pairing) equals a recount from activities and pairings.
WITH r AS (
    SELECT a.activity_id, a.volunteer_id, a.child_id, a.date
      FROM activities a
     WHERE NOT EXISTS (SELECT 1 FROM pairings p
                        WHERE p.volunteer_id = a.volunteer_id AND p.child_id = a.child_id
                          AND p.started_on <= a.date
                          AND (p.ended_on IS NULL OR p.ended_on >= a.date))
)
SELECT 'activity_outside: activity ''' || coalesce(r.activity_id, x.activity_id)
       || ''' of volunteer ''' || coalesce(r.volunteer_id, x.volunteer_id)
       || ''' with child ''' || coalesce(r.child_id, x.child_id) || ''' '
       || CASE WHEN x.activity_id IS NULL THEN 'is outside a pairing but not listed'
               WHEN r.activity_id IS NULL THEN 'is listed as outside a pairing but is not'
               ELSE 'is listed with date ' || x.date || ', activities say ' || r.date END
  FROM r FULL JOIN activity_outside x
    ON x.activity_id = r.activity_id AND x.volunteer_id = r.volunteer_id
   AND x.child_id = r.child_id
 WHERE r.date IS NOT x.date;
