-- migrate_9.sql - schema version 8 to 9.
--
-- volunteers.birth_date: the volunteers file's optional birth date (出生日期),
-- from which the nomination dossiers show a candidate's age at the year's
-- end (docs/decisions.md, "A volunteer's age").  Volunteers loaded before
-- have none: their age is not recorded until a file gives it.
ALTER TABLE volunteers ADD COLUMN birth_date TEXT;
