-- feedback_base.sql - the matters raised at the symposiums (意见建议) as
-- they stood at the period's end: the one definition that
-- feedback_counts.sql (counted by category), feedback_raised.sql (those
-- raised in the period) and feedback_open.sql (those raised before it and
-- still open at its end) take by their line "-- include feedback_base.sql"
-- (params.h).  Not a query by itself: the WITH clause whose table fb has
-- one row per matter raised by the period's end, with
--   raised_in    raised in the period;
--   open_start   raised before the period and not resolved before its first day;
--   resolved_in  resolved in the period;
--   open_end     not resolved by the period's end (resolved later, or not yet);
--   state        its state at the period's end: 'resolved' when resolved by
--                then, 'resolved_later' when resolved after it, else the
--                status recorded (open or in_progress);
--   asof         the day the days open are counted to: the period's end,
--                or today while the period has not ended.
-- The state at the period's end is told by the dates, never by the status
-- as last recorded, so a half year reads the same whenever it is written.
-- A matter counts in the period when it was open at its start or raised in
-- it; then open_start + raised_in = resolved_in + open_end (every row).
WITH fb AS MATERIALIZED (
    SELECT f.feedback_id, f.raised_on, f.town_code, f.volunteer_id, f.category, f.text,
           f.status, f.resolved_on, f.response,
           f.raised_on >= :from AS raised_in,
           f.raised_on < :from AND (f.resolved_on IS NULL OR f.resolved_on >= :from) AS open_start,
           coalesce(f.resolved_on BETWEEN :from AND :to, 0) AS resolved_in,
           f.resolved_on IS NULL OR f.resolved_on > :to AS open_end,
           CASE WHEN f.resolved_on <= :to THEN 'resolved'
                WHEN f.resolved_on > :to THEN 'resolved_later'
                ELSE f.status END AS state,
           min(:to, :today) AS asof
      FROM feedback f
     WHERE f.raised_on <= :to
       AND (f.raised_on >= :from OR f.resolved_on IS NULL OR f.resolved_on >= :from)
),
fb_state(code, zh, en) AS (
    VALUES ('open', '待办', 'Open'), ('in_progress', '办理中', 'In progress'),
           ('resolved', '已办结', 'Resolved'), ('resolved_later', '期后办结', 'Resolved later')
),
fb_category(ord, code, zh, en) AS (
    VALUES (1, 'transport', '交通不便', 'Transport'), (2, 'study', '学习辅导', 'Study help'),
           (3, 'counselling', '心理疏导', 'Counselling'), (4, 'funding', '经费', 'Funding'),
           (5, 'venue', '活动场地', 'Venues'), (6, 'training', '志愿者培训', 'Volunteer training'),
           (7, 'family', '家庭帮扶', 'Family support'), (8, 'other', '其他', 'Other')
)
