-- pairings_at_end.sql - the volunteer-child pairs with a pairing active on
-- the period's last day, the child not exited by then (each pair once):
-- the table `act` that halfyear_pairing_forms.sql and halfyear_pools.sql
-- take by their line "-- include pairings_at_end.sql" (params.h), one
-- definition of "paired at the end".  Not a query by itself: one table of
-- a WITH clause.
act AS MATERIALIZED (
    SELECT DISTINCT p.volunteer_id, p.child_id
      FROM pairings p JOIN children c ON c.child_id = p.child_id
     WHERE p.started_on <= :to AND (p.ended_on IS NULL OR p.ended_on >= :to)
       AND (c.exited_on IS NULL OR c.exited_on >= :to)
)
