-- annual_dossier_stories.sql - a candidate's stories of the year, newest
-- first, the child by its public alias only (with the suffix where
-- aliases collide).  Public: the title and the text cleaned (redact), the
-- candidate's own name left as written.
SELECT s.date,
       CASE WHEN :audience = 'public' THEN redact(coalesce(s.title, ''), v.name)
            ELSE coalesce(s.title, '') END AS title,
       coalesce(public_alias(c.child_id), c.alias, c.child_id) AS child,
       CASE WHEN :audience = 'public' THEN redact(s.text, v.name) ELSE s.text END AS text
  FROM stories s
  JOIN volunteers v ON v.volunteer_id = s.volunteer_id
  LEFT JOIN children c ON c.child_id = s.child_id
 WHERE s.volunteer_id = :volunteer_id AND s.date BETWEEN :from AND :to
 ORDER BY s.date DESC, s.story_id;
