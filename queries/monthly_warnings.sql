-- monthly_warnings.sql - warnings raised by the ingests that fed the
-- month's report: those from the month's first day to the end of the
-- following month (or now, if earlier), as monthly_rejects.sql.
SELECT w.file, w.line,
       CASE :lang WHEN 'en' THEN w.reason ELSE hm_reason_zh(w.reason) END AS reason
  FROM warnings w
 WHERE w.ingest_id IN (SELECT l.id FROM ingest_log l
                        WHERE substr(l.started_at, 1, 10) BETWEEN :from AND :next_to)
 ORDER BY w.file, w.line;
