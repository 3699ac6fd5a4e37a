-- A child's record (一人一档): who the child is, one row per item.
-- :child is the child's id.  Internal only (the job refuses a public record).
WITH c AS (
    SELECT c.*, COALESCE(t.town_name, c.town_code) AS town,
           CAST(strftime('%Y', :today) AS INTEGER) - CAST(strftime('%Y', c.birth_date) AS INTEGER)
           - (strftime('%m-%d', :today) < strftime('%m-%d', c.birth_date)) AS age
    FROM children c LEFT JOIN towns t ON t.town_code = c.town_code
    WHERE c.child_id = :child
),
en AS (SELECT :lang = 'en' AS en)
SELECT label, value FROM (
    SELECT 1 AS o, CASE WHEN en THEN 'Name' ELSE '姓名' END AS label, name AS value FROM c, en
    UNION ALL SELECT 2, CASE WHEN en THEN 'Child ID' ELSE '儿童编号' END, child_id FROM c, en
    UNION ALL SELECT 3, CASE WHEN en THEN 'Alias' ELSE '化名' END, alias FROM c, en
    UNION ALL SELECT 4, CASE WHEN en THEN 'Gender' ELSE '性别' END,
        CASE gender WHEN 'F' THEN CASE WHEN en THEN 'girl' ELSE '女' END
                    WHEN 'M' THEN CASE WHEN en THEN 'boy' ELSE '男' END END FROM c, en
    UNION ALL SELECT 5, CASE WHEN en THEN 'Born (age)' ELSE '出生日期（年龄）' END,
        birth_date || CASE WHEN en THEN ' (' || age || ')' ELSE '（' || age || ' 岁）' END FROM c, en
    UNION ALL SELECT 6, CASE WHEN en THEN 'Town' ELSE '所在镇（街道）' END, town FROM c, en
    UNION ALL SELECT 7, CASE WHEN en THEN 'Category' ELSE '类别' END,
        CASE category
            WHEN 'left_behind' THEN CASE WHEN en THEN 'left behind' ELSE '留守' END
            WHEN 'distressed' THEN CASE WHEN en THEN 'in difficulty' ELSE '困境' END
            WHEN 'both' THEN CASE WHEN en THEN 'left behind and in difficulty' ELSE '留守困境' END
        END FROM c, en
    UNION ALL SELECT 8, CASE WHEN en THEN 'Registered' ELSE '建档日期' END, registered_on FROM c, en
    UNION ALL SELECT 9, CASE WHEN en THEN 'Left the programme' ELSE '退出日期' END,
        COALESCE(exited_on, CASE WHEN en THEN '(still in the programme)' ELSE '（仍在档）' END)
        FROM c, en
)
ORDER BY o;
