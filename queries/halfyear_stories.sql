-- halfyear_stories.sql - stories recorded in the period, newest first:
-- the volunteer, the child (public: by its public alias only; the real
-- name and the alias beside it only internally), the title and the text.
-- Public: the title and the text cleaned (redact), the author's own name
-- left as written (the byline names the author anyway).
SELECT s.date,
       coalesce(t.town_name, v.town_code) AS town,
       v.name AS volunteer,
       CASE WHEN c.child_id IS NULL THEN NULL
            WHEN :audience = 'public' THEN public_alias(c.child_id)
            ELSE c.child_id END AS child,
       CASE WHEN :audience = 'public' THEN NULL ELSE c.name END AS child_name,
       public_alias(c.child_id) AS child_alias,
       CASE WHEN :audience = 'public' THEN redact(coalesce(s.title, ''), v.name)
            ELSE coalesce(s.title, '') END AS title,
       CASE WHEN :audience = 'public' THEN redact(s.text, v.name) ELSE s.text END AS text
  FROM stories s
  JOIN volunteers v ON v.volunteer_id = s.volunteer_id
  LEFT JOIN children c ON c.child_id = s.child_id
  LEFT JOIN towns t ON t.town_code = v.town_code
 WHERE s.date BETWEEN :from AND :to
 ORDER BY s.date DESC, s.story_id;
