-- feedback_raised.sql - the matters raised at the symposiums (意见建议) in
-- the period (raised_in of queries/feedback_base.sql), by date raised: the
-- town, category, what was raised, its state at the period's end, when it
-- was resolved and the answer.  Internal only: the text staff typed can
-- name people; a public run gets no rows.
-- include feedback_base.sql
SELECT fb.raised_on, coalesce(t.town_name, fb.town_code) AS town,
       CASE :lang WHEN 'en' THEN c.en ELSE c.zh END AS category,
       fb.text, CASE :lang WHEN 'en' THEN s.en ELSE s.zh END AS status,
       fb.resolved_on, fb.response
  FROM fb JOIN fb_category c ON c.code = fb.category
  JOIN fb_state s ON s.code = fb.state
  LEFT JOIN towns t ON t.town_code = fb.town_code
 WHERE fb.raised_in AND :audience = 'internal'
 ORDER BY fb.raised_on, fb.town_code, fb.feedback_id;
