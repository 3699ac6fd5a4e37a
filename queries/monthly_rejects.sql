-- monthly_rejects.sql - rows rejected by the ingests started in the month
-- (file, line, column, reason), and files rejected whole (no line).
SELECT r.file, r.line, r."column" AS col, r.reason
  FROM rejects r
 WHERE r.ingest_id IN (SELECT l.id FROM ingest_log l
                        WHERE substr(l.started_at, 1, 10) BETWEEN :from AND :to)
UNION ALL
SELECT l.file, NULL, '', CASE :lang WHEN 'en' THEN 'file rejected whole: ' ELSE '整个文件被拒收：' END
       || coalesce(l.reason, '')
  FROM ingest_log l
 WHERE l.status = 'rejected' AND substr(l.started_at, 1, 10) BETWEEN :from AND :to
 ORDER BY 1, 2;
