-- migrate_4.sql - schema version 3 to 4.
--
-- ingest_log.sheet: the sheet a row of a workbook's load is about (NULL
-- for a CSV file), so that "loaded before" is the workbook's digest and
-- the sheet: a run killed between two sheets leaves the later ones to the
-- next run instead of skipping them with the workbook.  The units of
-- workbooks loaded before are named FILE:SHEET, and a sheet's name cannot
-- hold ':' in Excel: the sheet is what follows the last ':' of the name.
ALTER TABLE ingest_log ADD COLUMN sheet TEXT;
UPDATE ingest_log
   SET sheet = substr(file, length(rtrim(file, replace(file, ':', ''))) + 1)
 WHERE encoding = 'xlsx' AND instr(file, ':') > 0;
