-- annual_dossier_months.sql - a candidate's activities (distinct
-- activity_ids, every type) in each month of the year.
-- A whole month is the volunteer's participations in volunteer_months
-- (the same count, kept at ingest: schema.sql), one seek; a part of a
-- month (a period not made of whole months) is counted from
-- temp.dossier_activities: the candidates' rows of the year, gathered by
-- pipeline/report/dossier_model.c in one pass (activities has no index by
-- volunteer).
-- include period_pieces.sql
SELECT CAST(substr(p.month, 6, 2) AS INTEGER) AS month,
       CASE WHEN p.whole
            THEN coalesce((SELECT v.participations FROM volunteer_months v
                            WHERE v.volunteer_id = :volunteer_id AND v.month = p.month), 0)
            ELSE (SELECT count(DISTINCT a.activity_id) FROM temp.dossier_activities a
                   WHERE a.volunteer_id = :volunteer_id AND a.date BETWEEN p.f AND p.t)
       END AS activities
  FROM piece p
 ORDER BY p.month;
