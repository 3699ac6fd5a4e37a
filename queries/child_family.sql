-- A child's record: guardian and school, one row per item (:child).
WITH c AS (SELECT * FROM children WHERE child_id = :child),
en AS (SELECT :lang = 'en' AS en)
SELECT label, value FROM (
    SELECT 1 AS o, CASE WHEN en THEN 'Guardian' ELSE '监护人' END AS label, guardian AS value
        FROM c, en
    UNION ALL SELECT 2, CASE WHEN en THEN 'Guardian''s phone' ELSE '监护人电话' END,
        guardian_phone FROM c, en
    UNION ALL SELECT 3, CASE WHEN en THEN 'School' ELSE '学校' END, school FROM c, en
    UNION ALL SELECT 4, CASE WHEN en THEN 'Class teacher' ELSE '班主任' END, class_teacher
        FROM c, en
)
ORDER BY o;
