-- feedback_open.sql - the matters raised at the symposiums (意见建议)
-- before the period and still open at its end (open_end and not raised_in
-- of queries/feedback_base.sql; open_old of feedback_counts.sql), the
-- oldest first, with the days since they were raised (to the period's end,
-- or to today while it lasts).  The status is the one recorded, or
-- "resolved later" when the matter was resolved after the period.
-- Internal only: the text staff typed can name people; a public run gets
-- no rows.
-- include feedback_base.sql
SELECT fb.raised_on, coalesce(t.town_name, fb.town_code) AS town,
       CASE :lang WHEN 'en' THEN c.en ELSE c.zh END AS category,
       fb.text, CASE :lang WHEN 'en' THEN s.en ELSE s.zh END AS status, fb.response,
       CAST(julianday(fb.asof) - julianday(fb.raised_on) AS INTEGER) AS days_open
  FROM fb JOIN fb_category c ON c.code = fb.category
  JOIN fb_state s ON s.code = fb.state
  LEFT JOIN towns t ON t.town_code = fb.town_code
 WHERE fb.open_end AND NOT fb.raised_in AND :audience = 'internal'
 ORDER BY fb.raised_on, fb.town_code, fb.feedback_id;
