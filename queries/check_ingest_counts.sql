-- ingest_log: the four outcomes add up to the rows read, and the rejects
-- table holds exactly the rows each ingest says it rejected.
SELECT 'ingest ' || l.id || ' (' || l.file || '): ' || l.rows_read || ' read but '
       || (l.rows_loaded + l.rows_updated + l.rows_unchanged + l.rows_rejected) || ' accounted for'
FROM ingest_log l
WHERE l.rows_read <> l.rows_loaded + l.rows_updated + l.rows_unchanged + l.rows_rejected
UNION ALL
SELECT 'ingest ' || l.id || ' (' || l.file || '): says ' || l.rows_rejected
       || ' rejected, the rejects table holds ' || count(r.id)
FROM ingest_log l LEFT JOIN rejects r ON r.ingest_id = l.id
GROUP BY l.id
HAVING count(r.id) <> l.rows_rejected;
