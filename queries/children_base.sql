-- children_base.sql - the children a report's "who the children are"
-- tables count (children_category.sql, children_gender.sql,
-- children_age.sql take it by their line "-- include children_base.sql",
-- params.h): not a query by itself but the WITH clause whose last table,
-- reg, has one row per child registered in the period as
-- coverage_towns.sql counts them (on record at its end, or paired in it),
-- with its category, gender, age at the period's end, paired child-months
-- and contacted child-months.
-- The children (reg) are kept in temp.shared_children by whichever of the
-- three runs first on a connection and read back by the others (as
-- temp.shared_five_ones, five_ones_pairs.sql); the report takes the three
-- on one connection, one after another (pipeline/report/aggregate.c).
CREATE TEMP TABLE IF NOT EXISTS shared_children AS
WITH kids AS MATERIALIZED (
    SELECT c.child_id, c.category, c.gender,
           hm_years(c.birth_date, :to) AS age,
           c.registered_on, c.exited_on,
           coalesce((SELECT sum((CAST(substr(min(x.last_month, substr(:to, 1, 7)), 1, 4) AS INTEGER)
                                 - CAST(substr(max(x.first_month, substr(:from, 1, 7)), 1, 4) AS INTEGER)) * 12
                                + CAST(substr(min(x.last_month, substr(:to, 1, 7)), 6, 2) AS INTEGER)
                                - CAST(substr(max(x.first_month, substr(:from, 1, 7)), 6, 2) AS INTEGER) + 1)
                       FROM child_spans x
                      WHERE x.child_id = c.child_id AND x.first_month <= substr(:to, 1, 7)
                        AND x.last_month >= substr(:from, 1, 7)), 0) AS child_months
      FROM children c
),
reg AS (   -- registered (queries/coverage_towns.sql), with contacted months
          -- (not materialized: the shared table takes its rows straight)
    SELECT k.*, (SELECT count(*) FROM child_months m
                  WHERE m.child_id = k.child_id AND m.paired = 1
                    AND m.month BETWEEN substr(:from, 1, 7) AND substr(:to, 1, 7)) AS contacted_months
      FROM kids k
     WHERE k.child_months > 0 OR hm_on_record(k.registered_on, k.exited_on, :to, :to)
)
SELECT * FROM reg;
WITH reg AS (SELECT * FROM temp.shared_children)
