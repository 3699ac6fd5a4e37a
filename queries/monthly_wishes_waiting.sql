-- monthly_wishes_waiting.sql - micro-wishes registered more than 30 days
-- before the month's end and, at the month's end, neither fulfilled nor
-- cancelled.  An internal list; the child's public alias beside the name.
-- Public (a template that shows it): the child by alias, the wish and
-- the claiming organisation cleaned (redact), no volunteer named.
SELECT coalesce(t.town_name, c.town_code) AS town,
       CASE WHEN :audience = 'public' THEN public_alias(c.child_id) ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       public_alias(c.child_id) AS child_alias,
       w.wish_id,
       CASE WHEN :audience = 'public' THEN redact(w.description) ELSE w.description END AS wish,
       w.registered_on,
       CAST(julianday(:to) - julianday(w.registered_on) AS INTEGER) AS days_waiting,
       CASE WHEN :audience = 'public' THEN redact(w.claimed_org)
            ELSE coalesce(v.name, w.claimed_org) END AS claimed_by,
       w.est_cost_fen AS est_cost
  FROM wishes w
  JOIN children c ON c.child_id = w.child_id
  LEFT JOIN towns t ON t.town_code = c.town_code
  LEFT JOIN volunteers v ON v.volunteer_id = w.claimed_by
 WHERE w.registered_on < date(:to, '-30 days')
   AND (w.fulfilled_on IS NULL OR w.fulfilled_on > :to)
   AND (w.cancelled_on IS NULL OR w.cancelled_on > :to)
 ORDER BY w.registered_on, c.town_code, w.wish_id;
