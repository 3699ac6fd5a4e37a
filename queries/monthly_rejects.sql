-- monthly_rejects.sql - rows rejected by the ingests that fed the month's
-- report (file, line, column, reason), and files rejected whole (no line).
-- Those are the ingests from the month's first day to the end of the
-- following month: the run on the 1st that writes the month's report
-- loads the month's files, and its rejects are in the report it writes
-- (and in the report written after any later ingest of those files).  An
-- ingest after the report was written is not there yet: none is later than
-- now, so the window ends at the end of the following month or now,
-- whichever is earlier.  started_at is UTC; its date is compared.  The
-- reasons are stored in English; a Chinese report shows them in Chinese
-- (hm_reason_zh, the door's catalogue of reasons).
SELECT r.file, r.line, r."column" AS col,
       CASE :lang WHEN 'en' THEN r.reason ELSE hm_reason_zh(r.reason) END AS reason
  FROM rejects r
 WHERE r.ingest_id IN (SELECT l.id FROM ingest_log l
                        WHERE substr(l.started_at, 1, 10) BETWEEN :from AND :next_to)
UNION ALL
SELECT l.file, NULL, '', CASE :lang WHEN 'en' THEN 'file rejected whole: ' ELSE '整个文件被拒收：' END
       || coalesce(CASE :lang WHEN 'en' THEN l.reason ELSE hm_reason_zh(l.reason) END, '')
  FROM ingest_log l
 WHERE l.status = 'rejected' AND substr(l.started_at, 1, 10) BETWEEN :from AND :next_to
 ORDER BY 1, 2;
