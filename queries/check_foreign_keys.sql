-- Every reference names a row that exists (the schema enforces this with
-- foreign keys; this finds rows written with foreign keys switched off).
SELECT "table" || ' rowid ' || rowid || ' references a missing ' || parent
FROM pragma_foreign_key_check;
