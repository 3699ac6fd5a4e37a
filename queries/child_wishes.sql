-- A child's record: the child's micro-wishes, first the earliest, with who
-- claimed each and what became of it (:child).
SELECT w.registered_on, w.description, w.est_cost_fen,
       COALESCE(v.name, w.claimed_org) AS claimed_by, w.claimed_on, w.fulfilled_on,
       CASE WHEN w.fulfilled_on IS NOT NULL THEN CASE WHEN :lang = 'en' THEN 'fulfilled' ELSE '已实现' END
            WHEN w.cancelled_on IS NOT NULL THEN CASE WHEN :lang = 'en' THEN 'cancelled' ELSE '已取消' END
            WHEN w.claimed_on IS NOT NULL OR w.claimed_by IS NOT NULL
                THEN CASE WHEN :lang = 'en' THEN 'claimed' ELSE '已认领' END
            ELSE CASE WHEN :lang = 'en' THEN 'waiting' ELSE '待认领' END
       END AS status
FROM wishes w LEFT JOIN volunteers v ON v.volunteer_id = w.claimed_by
WHERE w.child_id = :child
ORDER BY w.registered_on, w.wish_id;
