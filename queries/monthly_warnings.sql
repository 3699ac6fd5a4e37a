-- monthly_warnings.sql - warnings raised by the ingests started in the month.
SELECT w.file, w.line, w.reason
  FROM warnings w
 WHERE w.ingest_id IN (SELECT l.id FROM ingest_log l
                        WHERE substr(l.started_at, 1, 10) BETWEEN :from AND :to)
 ORDER BY w.file, w.line;
