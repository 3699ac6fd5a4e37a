-- annual_dossier_five_ones.sql - the "five ones" of each pair of the
-- shortlisted candidates in the year, by the one definition of a pair's
-- five ones (five_ones_base.sql, which five_ones_pairs.sql counts by town):
-- months paired, months with a call, whether the pair had a reading
-- session, a holiday activity, a birthday (due only when the child's
-- birthday fell in the paired span) and a fulfilled wish; kept of due.
-- The candidates are temp.dossier_candidates; pipeline/report/dossier_model.c
-- keeps the rows in temp.dossier_pairs, read by annual_dossier_children.sql.
-- include five_ones_base.sql
SELECT k.volunteer_id, k.child_id, k.months, k.called_months, k.reading, k.holiday,
       k.birthday_due, k.birthday_kept, k.wish, k.kept, k.due
  FROM k
 WHERE k.volunteer_id IN (SELECT volunteer_id FROM temp.dossier_candidates)
