-- annual_dossier_stories.sql - a candidate's stories of the year, newest
-- first, the child by alias only.
SELECT s.date, coalesce(s.title, '') AS title,
       coalesce(c.alias, c.child_id) AS child,
       s.text
  FROM stories s
  LEFT JOIN children c ON c.child_id = s.child_id
 WHERE s.volunteer_id = :volunteer_id AND s.date BETWEEN :from AND :to
 ORDER BY s.date DESC, s.story_id;
