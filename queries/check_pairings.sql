-- No two pairings of the same volunteer and child share a day (an open
-- pairing runs to today), and none ends before it starts.
SELECT 'pairings ''' || a.pairing_id || ''' and ''' || b.pairing_id || ''' of volunteer '''
       || a.volunteer_id || ''' and child ''' || a.child_id || ''' overlap'
FROM pairings a JOIN pairings b
  ON a.volunteer_id = b.volunteer_id AND a.child_id = b.child_id AND a.pairing_id < b.pairing_id
WHERE a.started_on <= coalesce(b.ended_on, :today) AND b.started_on <= coalesce(a.ended_on, :today)
UNION ALL
SELECT 'pairing ''' || pairing_id || ''' ends before it starts'
FROM pairings WHERE ended_on < started_on;
