-- monthly_wishes_waiting.sql - micro-wishes registered more than 30 days
-- before the month's end and, at the month's end, neither fulfilled nor
-- cancelled.
SELECT coalesce(t.town_name, c.town_code) AS town,
       CASE WHEN :audience = 'public' THEN coalesce(c.alias, c.child_id) ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       w.wish_id,
       w.description AS wish,
       w.registered_on,
       CAST(julianday(:to) - julianday(w.registered_on) AS INTEGER) AS days_waiting,
       coalesce(v.name, w.claimed_org) AS claimed_by,
       w.est_cost_fen AS est_cost
  FROM wishes w
  JOIN children c ON c.child_id = w.child_id
  LEFT JOIN towns t ON t.town_code = c.town_code
  LEFT JOIN volunteers v ON v.volunteer_id = w.claimed_by
 WHERE w.registered_on < date(:to, '-30 days')
   AND (w.fulfilled_on IS NULL OR w.fulfilled_on > :to)
   AND (w.cancelled_on IS NULL OR w.cancelled_on > :to)
 ORDER BY w.registered_on, c.town_code, w.wish_id;
