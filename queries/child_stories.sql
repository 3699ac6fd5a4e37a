-- A child's record: the stories volunteers wrote about the child, the
-- latest first (:child).
SELECT s.date, v.name AS volunteer, s.title, s.text
FROM stories s JOIN volunteers v ON v.volunteer_id = s.volunteer_id
WHERE s.child_id = :child
ORDER BY s.date DESC, s.story_id;
