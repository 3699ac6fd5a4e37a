-- period_pieces.sql - the period cut at month ends, for the queries that
-- read whole months from the summary tables and only the partial months
-- at either end from the rows (hours_towns.sql, organisations.sql,
-- range_totals.sql, range_towns.sql, annual_scorecard.sql take it by their line
-- "-- include period_pieces.sql", params.h).  Not a query by itself but
-- the start of a WITH clause: piece has one row per calendar month the
-- period meets, with its first and last day in the period (f, t) and
-- whether the period holds the whole month.
WITH RECURSIVE m(ms) AS (
    SELECT date(:from, 'start of month')
    UNION ALL
    SELECT date(ms, '+1 month') FROM m WHERE date(ms, '+1 month') <= :to
),
piece AS MATERIALIZED (   -- the period cut at month ends
    SELECT substr(ms, 1, 7) AS month, max(ms, :from) AS f,
           min(date(ms, '+1 month', '-1 day'), :to) AS t,
           ms >= :from AND date(ms, '+1 month', '-1 day') <= :to AS whole
      FROM m
)
