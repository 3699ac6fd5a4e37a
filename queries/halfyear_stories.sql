-- halfyear_stories.sql - stories recorded in the period, newest first:
-- the volunteer, the child (public: by alias or child_id only; the real
-- name only internally), the title and the text.
SELECT s.date,
       coalesce(t.town_name, v.town_code) AS town,
       v.name AS volunteer,
       CASE WHEN c.child_id IS NULL THEN NULL
            WHEN :audience = 'public' THEN coalesce(c.alias, c.child_id)
            ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       coalesce(s.title, '') AS title,
       s.text
  FROM stories s
  JOIN volunteers v ON v.volunteer_id = s.volunteer_id
  LEFT JOIN children c ON c.child_id = s.child_id
  LEFT JOIN towns t ON t.town_code = v.town_code
 WHERE s.date BETWEEN :from AND :to
 ORDER BY s.date DESC, s.story_id;
