-- A child's record: the needs recorded by the needs survey (:child); no row
-- when the survey has not been done (the needs are blank).
SELECT needs
FROM children
WHERE child_id = :child AND needs IS NOT NULL AND trim(needs) <> '';
